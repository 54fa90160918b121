import Foundation
import TensorCore

/// How the next token is chosen from the logits.
///
/// `temperature == 0` is greedy decoding (argmax, ties to the lowest id); otherwise the logits
/// are divided by the temperature, turned into probabilities, cut to the nucleus of mass `topP`
/// (Holtzman et al. 2019, https://arxiv.org/abs/1904.09751), and one token is drawn with
/// ``SeededRandom`` seeded by `seed`, so a seed reproduces the same text.
public struct SamplingParameters: Sendable, Equatable, Hashable, Codable {
  /// Softmax temperature, ≥ 0; 0 means greedy.
  public var temperature: Double
  /// Nucleus mass in (0, 1]; 1 keeps every token.
  public var topP: Double
  /// Seed of the draws (ignored by greedy decoding).
  public var seed: UInt64

  /// Parameters for sampling (defaults: greedy, whole vocabulary, seed 0).
  public init(temperature: Double = 0, topP: Double = 1, seed: UInt64 = 0) {
    self.temperature = temperature
    self.topP = topP
    self.seed = seed
  }

  /// Greedy decoding.
  public static let greedy = SamplingParameters()

  /// Whether the parameters ask for argmax decoding.
  public var isGreedy: Bool { temperature == 0 }

  /// Checks the ranges.
  ///
  /// - Throws: ``GenerationError/invalidSampling(_:)`` naming the parameter.
  public func validate() throws(GenerationError) {
    guard temperature.isFinite, temperature >= 0 else {
      throw .invalidSampling("temperature must be a finite number ≥ 0 (0 = greedy), got \(temperature)")
    }
    guard topP.isFinite, topP > 0, topP <= 1 else {
      throw .invalidSampling("top_p must be in (0, 1], got \(topP)")
    }
  }
}

/// Chooses tokens from logits with fixed ``SamplingParameters``; owns its random stream.
public struct Sampler: Sendable {
  /// The parameters in use.
  public let parameters: SamplingParameters
  private var random: SeededRandom
  private var order: [Int32] = []
  private var probabilities: [Double] = []

  /// A sampler whose draws depend only on `parameters` (their seed included).
  public init(_ parameters: SamplingParameters) {
    self.parameters = parameters
    random = SeededRandom(seed: parameters.seed)
  }

  /// The index of the largest logit, the lowest on ties (NaN never wins).
  public static func argmax(_ logits: UnsafeBufferPointer<Float>) -> Int32 {
    var best = 0
    var bestValue = -Float.infinity
    for (i, v) in logits.enumerated() where v > bestValue {
      best = i
      bestValue = v
    }
    return Int32(best)
  }

  /// Chooses the next token.
  ///
  /// - Parameter logits: `[vocab]`.
  /// - Complexity: O(V) greedy or with `topP == 1`; O(V log V) with a nucleus cut.
  public mutating func sample(_ logits: UnsafeBufferPointer<Float>) -> Int32 {
    if parameters.isGreedy { return Self.argmax(logits) }
    let n = logits.count
    // Softmax of logits / temperature, in Double.
    let inverse = 1 / parameters.temperature
    var maximum = -Double.infinity
    for v in logits where Double(v) > maximum { maximum = Double(v) }
    if probabilities.count != n { probabilities = [Double](repeating: 0, count: n) }
    var sum = 0.0
    for i in 0..<n {
      let p = logits[i].isNaN ? 0 : Foundation.exp((Double(logits[i]) - maximum) * inverse)
      probabilities[i] = p
      sum += p
    }
    let u = random.uniform()
    if parameters.topP >= 1 {
      var target = u * sum
      for i in 0..<n {
        target -= probabilities[i]
        if target < 0 { return Int32(i) }
      }
      return Self.argmax(logits)
    }
    // Nucleus: most probable first (ties to the lower id), smallest prefix reaching topP.
    if order.count != n { order = (0..<Int32(n)).map { $0 } }
    for i in 0..<n { order[i] = Int32(i) }
    let probs = probabilities
    order.sort { a, b in
      let pa = probs[Int(a)]
      let pb = probs[Int(b)]
      return pa != pb ? pa > pb : a < b
    }
    var kept = 0
    var mass = 0.0
    while kept < n {
      mass += probs[Int(order[kept])]
      kept += 1
      if mass >= parameters.topP * sum { break }
    }
    var target = u * mass
    for k in 0..<kept {
      target -= probs[Int(order[k])]
      if target < 0 { return order[k] }
    }
    return order[kept - 1]
  }
}
