import Autoencoders
import Foundation
import TensorCore
import TestSupport
import Testing

/// Naive twins of the sparse baselines' selections and backward rules.
@Suite struct SparseTests {
  /// Values with many ties (small integers) or continuous.
  static func values(_ count: Int, seed: UInt64, ties: Bool) -> [Float] {
    var rng = SeededRandom(seed: seed)
    return ties ? (0..<count).map { _ in Float(Int.random(in: -3...3, using: &rng)) } : rng.floats(count, scale: 2)
  }

  @Test(arguments: [false, true])
  func reluMatchesNaive(ties: Bool) {
    let x = Self.values(90, seed: 30, ties: ties)
    var mask = [UInt8](repeating: 9, count: x.count)
    let y: [Float] = filled(x.count) { reluForward($0, mask: &mask, x, count: x.count) }
    #expect(y == x.map { max($0, 0) })
    #expect(mask == x.map { $0 > 0 ? 1 : 0 })
  }

  @Test(arguments: [(1, false), (3, false), (3, true), (7, true), (12, true)])
  func topKMatchesNaive(k: Int, ties: Bool) {
    let (B, m) = (9, 12)
    let x = Self.values(B * m, seed: UInt64(31 + k), ties: ties)
    var mask = [UInt8](repeating: 9, count: x.count)
    let y: [Float] = filled(x.count) { topKForward($0, mask: &mask, x, rows: B, columns: m, k: k) }
    var sawExtraTies = false
    for i in 0..<B {
      let row = Array(x[(i * m)..<(i * m + m)])
      let kth = row.sorted(by: >)[k - 1]
      let kept = row.map { $0 >= kth }
      #expect(Array(mask[(i * m)..<(i * m + m)]) == kept.map { $0 ? 1 : 0 }, "row \(i)")
      #expect(Array(y[(i * m)..<(i * m + m)]) == zip(row, kept).map { $1 ? $0 : 0 }, "row \(i)")
      #expect(kept.filter { $0 }.count >= k)
      if kept.filter({ $0 }).count > k { sawExtraTies = true }
    }
    if ties && k < m { #expect(sawExtraTies, "the tie data should make some row keep more than k") }
  }

  @Test(arguments: [(1, false), (2, false), (2, true), (5, true), (12, true)])
  func batchTopKMatchesNaive(k: Int, ties: Bool) {
    let (B, m) = (7, 12)
    var x = Self.values(B * m, seed: UInt64(41 + k), ties: ties)
    if ties { x[3] = -0.0 }
    var mask = [UInt8](repeating: 9, count: x.count)
    let y: [Float] = filled(x.count) { batchTopKForward($0, mask: &mask, x, rows: B, columns: m, k: k) }
    // Stable sort by value, descending: ties keep the lower flat index first.
    let order = x.indices.sorted { x[$0] != x[$1] ? x[$0] > x[$1] : $0 < $1 }
    var expected = [UInt8](repeating: 0, count: x.count)
    for index in order.prefix(B * k) { expected[index] = 1 }
    #expect(mask == expected)
    #expect(y == x.indices.map { expected[$0] == 1 ? x[$0] : 0 })
    #expect(mask.reduce(0) { $0 + Int($1) } == B * k)
  }

  @Test func batchTopKOnLargeContinuousBatch() {
    let (B, m, k) = (64, 300, 16)
    let x = Self.values(B * m, seed: 49, ties: false)
    var mask = [UInt8](repeating: 9, count: x.count)
    let _: [Float] = filled(x.count) { batchTopKForward($0, mask: &mask, x, rows: B, columns: m, k: k) }
    let cut = x.sorted(by: >)[B * k - 1]
    #expect(mask == x.map { $0 >= cut ? 1 : 0 })
  }

  @Test func maskedBackwardPassesOnlyKeptEntries() {
    let g: [Float] = [1, 2, 3, 4]
    let out: [Float] = filled(4) { maskedBackward($0, outputGradient: g, mask: [1, 0, 0, 1], count: 4) }
    #expect(out == [1, 0, 0, 4])
  }

  @Test func jumpReLUMatchesNaive() {
    let (B, m) = (6, 10)
    var rng = SeededRandom(seed: 50)
    var x = rng.floats(B * m, scale: 2)
    let theta = rng.floats(m).map { abs($0) }
    x[0] = theta[0]  // exactly at the threshold: not kept
    var mask = [UInt8](repeating: 9, count: x.count)
    let y: [Float] = filled(x.count) {
      jumpReLUForward($0, mask: &mask, x, thresholds: theta, rows: B, columns: m)
    }
    for i in 0..<B {
      for j in 0..<m {
        let v = x[i * m + j]
        #expect(mask[i * m + j] == (v > theta[j] ? 1 : 0))
        #expect(y[i * m + j] == (v > theta[j] ? v : 0))
      }
    }
    #expect(mask[0] == 0)
  }

  @Test func jumpReLUThresholdGradientMatchesNaive() {
    let (B, m) = (40, 8)
    let epsilon: Float = 0.5
    var rng = SeededRandom(seed: 51)
    let x = rng.floats(B * m, scale: 1.5)
    let theta = rng.floats(m).map { abs($0) + 0.1 }
    let g = rng.floats(B * m)
    let out: [Float] = filled(m) {
      jumpReLUThresholdBackward(
        $0, outputGradient: g, input: x, thresholds: theta, rows: B, columns: m, bandwidth: epsilon)
    }
    var hits = 0
    for j in 0..<m {
      var expected = 0.0
      for i in 0..<B {
        let u = (Double(x[i * m + j]) - Double(theta[j])) / Double(epsilon)
        if abs(u) < 0.5 {
          expected += -Double(theta[j]) / Double(epsilon) * Double(g[i * m + j])
          hits += 1
        }
      }
      #expect(abs(Double(out[j]) - expected) <= 1e-5 * max(1, abs(expected)), "feature \(j)")
    }
    #expect(hits > 0)
    var accumulated = [Float](repeating: 1, count: m)
    jumpReLUThresholdBackward(
      &accumulated, outputGradient: g, input: x, thresholds: theta, rows: B, columns: m, bandwidth: epsilon,
      accumulate: true)
    #expect(zip(accumulated, out).allSatisfy { abs($0 - 1 - $1) <= 1e-5 })
  }
}
