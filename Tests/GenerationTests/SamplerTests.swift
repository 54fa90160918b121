import Foundation
import Models
import TensorCore
import Testing

@Suite struct SamplerTests {
  @Test func greedyTakesTheLowestIdOnTies() {
    let logits: [Float] = [0.5, 2, -1, 2, 1.9]
    var sampler = Sampler(.greedy)
    logits.withUnsafeBufferPointer { #expect(sampler.sample($0) == 1) }
    let nan: [Float] = [.nan, -3, -2]
    nan.withUnsafeBufferPointer { #expect(Sampler.argmax($0) == 2) }
  }

  @Test func aSeedReproducesTheDraws() {
    let logits: [Float] = (0..<50).map { Float($0 % 7) * 0.3 }
    func draws(seed: UInt64) -> [Int32] {
      var sampler = Sampler(SamplingParameters(temperature: 0.8, topP: 0.9, seed: seed))
      return logits.withUnsafeBufferPointer { p in (0..<40).map { _ in sampler.sample(p) } }
    }
    #expect(draws(seed: 3) == draws(seed: 3))
    #expect(draws(seed: 3) != draws(seed: 4))
  }

  /// Frequencies follow softmax(logits / T): with logits log(1), log(2), log(3), log(4) and
  /// T = 1 the probabilities are 0.1…0.4; 20,000 draws put each within 0.015 (≈ 4.5 σ).
  @Test func temperatureOneDrawsFromTheSoftmax() {
    let logits: [Float] = [1, 2, 3, 4].map { Float(log(Double($0))) }
    var sampler = Sampler(SamplingParameters(temperature: 1, topP: 1, seed: 11))
    var counts = [0, 0, 0, 0]
    logits.withUnsafeBufferPointer { p in for _ in 0..<20_000 { counts[Int(sampler.sample(p))] += 1 } }
    for i in 0..<4 { #expect(abs(Double(counts[i]) / 20_000 - Double(i + 1) / 10) < 0.015, "\(counts)") }
  }

  /// top_p = 0.5 over probabilities 0.1…0.4 keeps {0.4, 0.3} (mass 0.7 ≥ 0.5): ids 0 and 1 never come.
  @Test func topPKeepsOnlyTheNucleus() {
    let logits: [Float] = [1, 2, 3, 4].map { Float(log(Double($0))) }
    var sampler = Sampler(SamplingParameters(temperature: 1, topP: 0.5, seed: 5))
    var seen: Set<Int32> = []
    logits.withUnsafeBufferPointer { p in for _ in 0..<2_000 { seen.insert(sampler.sample(p)) } }
    #expect(seen == [2, 3])
    var tiny = Sampler(SamplingParameters(temperature: 5, topP: 1e-6, seed: 5))
    logits.withUnsafeBufferPointer { p in for _ in 0..<100 { #expect(tiny.sample(p) == 3) } }
  }

  @Test func invalidParametersAreRejected() {
    #expect(throws: GenerationError.self) { try SamplingParameters(temperature: -1).validate() }
    #expect(throws: GenerationError.self) { try SamplingParameters(temperature: 1, topP: 0).validate() }
    #expect(throws: GenerationError.self) { try SamplingParameters(temperature: .nan).validate() }
  }
}
