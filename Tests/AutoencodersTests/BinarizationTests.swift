import Autoencoders
import Foundation
import TensorCore
import TestSupport
import Testing

/// Naive twins (plain loops in Double) of the binarization forward rules and every estimator.
@Suite struct BinarizationTests {
  /// Random pre-activations plus the edge cases: zeros, integers, half-integers, negatives.
  static func preactivations() -> [Float] {
    var rng = SeededRandom(seed: 21)
    return [0, -0.0, 1, -1, 2, -2, 3, 0.5, -0.5, 1.5, -1.5, 1e-8, -1e-8, 4.999999, -3.25]
      + rng.floats(200, scale: 6)
  }

  static func naiveForward(_ z: Float, _ estimator: BinarizationEstimator) -> Float {
    let x = Double(z)
    switch estimator {
    case .squarewave: return x - 2 * (x / 2).rounded(.down) < 1 ? 1 : 0
    default: return x > 0 ? 1 : 0
    }
  }

  static func naiveBackward(_ g: Float, _ z: Float, _ estimator: BinarizationEstimator) -> Double {
    let (g, z) = (Double(g), Double(z))
    switch estimator {
    case .sign: return g
    case .signS: return g * (1 - g)
    case .sigmoid:
      let s = 1 / (1 + exp(-z))
      return g * s * (1 - s)
    case .squarewave: return Double.pi * cos(2 * Double.pi * g)
    }
  }

  @Test(arguments: BinarizationEstimator.allCases)
  func forwardMatchesNaive(estimator: BinarizationEstimator) {
    let z = Self.preactivations()
    let h: [Float] = filled(z.count) { binarizeForward($0, z, count: z.count, estimator: estimator) }
    for i in 0..<z.count {
      #expect(h[i] == Self.naiveForward(z[i], estimator), "\(estimator) at z = \(z[i])")
    }
  }

  @Test func forwardEdgeCases() {
    let z: [Float] = [0, 1e-30, -1e-30, 0.5, 1, 1.5, 2, -0.5, -1, -1.5, -2]
    let step: [Float] = filled(z.count) { binarizeForward($0, z, count: z.count, estimator: .signS) }
    #expect(step == [0, 1, 0, 1, 1, 1, 1, 0, 0, 0, 0])
    let wave: [Float] = filled(z.count) { binarizeForward($0, z, count: z.count, estimator: .squarewave) }
    // z mod 2 (floor): 0, ~0, ~2⁻, 0.5, 1, 1.5, 0, 1.5, 1, 0.5, 0
    #expect(wave == [1, 1, 0, 1, 0, 0, 1, 0, 0, 1, 1])
  }

  @Test(arguments: BinarizationEstimator.allCases)
  func backwardMatchesNaive(estimator: BinarizationEstimator) {
    var rng = SeededRandom(seed: 22)
    let z = Self.preactivations()
    // Small gradients as in training, plus large ones where g·(1 − g) changes sign.
    let g = rng.floats(z.count - 4, scale: 1e-3) + [0, 1, 2, -3]
    let dz: [Float] = filled(z.count) {
      binarizeBackward($0, codeGradient: g, preactivations: z, count: z.count, estimator: estimator)
    }
    for i in 0..<z.count {
      let expected = Self.naiveBackward(g[i], z[i], estimator)
      #expect(abs(Double(dz[i]) - expected) <= 1e-6 * max(1, abs(expected)), "\(estimator) g=\(g[i]) z=\(z[i])")
    }
  }

  @Test func backwardMayRunInPlace() {
    var g: [Float] = [0.5, 2, -1]
    let z: [Float] = [1, -1, 0]
    g.withUnsafeMutableBufferPointer { p in
      binarizeBackward(p.baseAddress!, codeGradient: p.baseAddress!, preactivations: z, count: 3, estimator: .signS)
    }
    #expect(g == [0.25, -2, -2])
  }
}
