import Autoencoders
import Foundation
import TensorCore
import TestSupport
import Testing

/// Finite-difference checks (central differences of f64 twins) of the analytic gradients of the
/// Float kernels. Tolerance: |analytic − numeric| ≤ atol + rtol·|numeric|, stated per test.
@Suite struct LossGradientTests {
  @Test func meanSquaredErrorGradientMatchesFiniteDifferences() {
    var rng = SeededRandom(seed: 11)
    let (B, d) = (5, 7)
    let target = rng.floats(B * d, scale: 2)
    let reconstruction = rng.floats(B * d, scale: 2)
    let value = meanSquaredError(reconstruction, target: target, count: B * d)
    let twin: ([Double]) -> Double = { r in
      zip(r, target).map { ($0 - Double($1)) * ($0 - Double($1)) }.reduce(0, +) / Double(B * d)
    }
    #expect(abs(value - twin(reconstruction.map(Double.init))) <= 1e-12 * value)
    let analytic: [Float] = filled(B * d) {
      meanSquaredErrorBackward($0, reconstruction: reconstruction, target: target, count: B * d)
    }
    let numeric = numericGradient(reconstruction.map(Double.init), twin)
    let worst = gradientMismatch(analytic, numeric, rtol: 1e-5, atol: 1e-7)
    #expect(worst.ratio <= 1, "\(worst)")
  }

  @Test func weightedMeanSquaredErrorGradientScales() {
    let x: [Float] = [1, 2, 3, 4]
    let xh: [Float] = [2, 2, 1, 4]
    let g: [Float] = filled(4) {
      meanSquaredErrorBackward($0, reconstruction: xh, target: x, count: 4, weight: 3)
    }
    #expect(g == [1.5, 0, -3, 0])  // 3 · 2(x̂ − x)/4
  }

  /// Continuous codes with every column mean inside (0, 1), away from the ε-dominated ends.
  @Test(arguments: [(8, 5), (3, 17), (64, 9)])
  func entropyGradientMatchesFiniteDifferences(shape: (Int, Int)) {
    let (B, m) = shape
    var rng = SeededRandom(seed: UInt64(100 + B * m))
    let h = rng.doubles(B * m, in: 0.05...0.95)
    let codes = h.map { Float($0) }
    var means = [Float](repeating: 0, count: m)
    let value = codeEntropy(&means, codes: codes, rows: B, columns: m)
    let twin = { (x: [Double]) in codeEntropyTwin(x, rows: B, columns: m) }
    #expect(abs(value - twin(codes.map(Double.init))) <= 1e-5 * value)
    let analytic: [Float] = filled(B * m) {
      codeEntropyBackward($0, columnMeans: means, rows: B, columns: m, entropy: value, weight: 1)
    }
    let numeric = numericGradient(codes.map(Double.init), twin)
    let worst = gradientMismatch(analytic, numeric, rtol: 1e-4, atol: 1e-5)
    #expect(worst.ratio <= 1, "\(worst)")
  }

  /// At p = 0 and p = 1 the ε inside the logs sets the gradient (−log2 ε ≈ 33.2 at p = 0),
  /// and the term of such a column is exactly 0, as in float32 torch.
  @Test func entropyAtSaturatedColumns() {
    // Columns: all zero, all one, half.
    let codes: [Float] = [0, 1, 1, 0, 1, 0]
    var means = [Float](repeating: 0, count: 3)
    let value = codeEntropy(&means, codes: codes, rows: 2, columns: 3)
    #expect(means == [0, 1, 0.5])
    #expect(value == 1)
    let g: [Float] = filled(6) {
      codeEntropyBackward($0, columnMeans: means, rows: 2, columns: 3, entropy: value)
    }
    let atZero = (-log2(1e-10) + 1 / M_LN2) / 2
    #expect(abs(Double(g[0]) - atZero) <= 1e-5 * atZero)
    #expect(abs(Double(g[1]) + atZero) <= 1e-5 * atZero)
    #expect(g[2] == 0 && g[0] == g[3] && g[1] == g[4])
  }

  @Test func entropyThresholdRemovesTheTerm() {
    var rng = SeededRandom(seed: 12)
    let codes = rng.codes(40, density: 0.3)
    var means = [Float](repeating: 0, count: 8)
    let value = codeEntropy(&means, codes: codes, rows: 5, columns: 8)
    #expect(value > 0)
    #expect(thresholdedEntropy(value, threshold: value + 1) == 0)
    #expect(thresholdedEntropy(value, threshold: value) == value)
    var g = [Float](repeating: 7, count: 40)
    codeEntropyBackward(&g, columnMeans: means, rows: 5, columns: 8, entropy: value, threshold: value + 1)
    #expect(g.allSatisfy { $0 == 0 })
    g = [Float](repeating: 7, count: 40)
    codeEntropyBackward(
      &g, columnMeans: means, rows: 5, columns: 8, entropy: value, threshold: value + 1, accumulate: true)
    #expect(g.allSatisfy { $0 == 7 })
    codeEntropyBackward(&g, columnMeans: means, rows: 5, columns: 8, entropy: value, threshold: 0, accumulate: true)
    #expect(g.contains { $0 != 7 })
  }

  @Test func l1GradientMatchesFiniteDifferences() {
    var rng = SeededRandom(seed: 13)
    // Magnitudes ≥ 0.1 so no perturbation crosses the kink at 0.
    let z: [Float] = rng.floats(60, scale: 2).map { $0 >= 0 ? $0 + 0.1 : $0 - 0.1 }
    let value = l1Penalty(z, count: z.count)
    let twin = { (x: [Double]) in x.map(abs).reduce(0, +) }
    #expect(abs(value - twin(z.map(Double.init))) <= 1e-12 * value)
    let analytic: [Float] = filled(z.count) { l1PenaltyBackward($0, latents: z, count: z.count, weight: 1) }
    let worst = gradientMismatch(analytic, numericGradient(z.map(Double.init), twin), rtol: 1e-6, atol: 1e-6)
    #expect(worst.ratio <= 1, "\(worst)")
    let zero: [Float] = filled(3) { l1PenaltyBackward($0, latents: [0, 2, -1], count: 3, weight: 0.5) }
    #expect(zero == [0, 0.5, -0.5])
  }

  @Test(arguments: OutputActivation.allCases)
  func outputActivationGradientMatchesFiniteDifferences(activation: OutputActivation) {
    var rng = SeededRandom(seed: 14)
    let n = 50
    let x: [Float] = rng.floats(n, scale: 3).map { $0 >= 0 ? $0 + 0.05 : $0 - 0.05 }
    let upstream = rng.floats(n)
    let twinActivation: (Double) -> Double
    switch activation {
    case .none: twinActivation = { $0 }
    case .sigmoid: twinActivation = { 1 / (1 + exp(-$0)) }
    case .tanh: twinActivation = { tanh($0) }
    case .relu: twinActivation = { max($0, 0) }
    }
    let y: [Float] = filled(n) { outputActivationForward($0, x, count: n, activation: activation) }
    for i in 0..<n { #expect(abs(Double(y[i]) - twinActivation(Double(x[i]))) <= 1e-6) }
    let analytic: [Float] = filled(n) {
      outputActivationBackward($0, outputGradient: upstream, output: y, count: n, activation: activation)
    }
    let loss = { (v: [Double]) in (0..<n).map { Double(upstream[$0]) * twinActivation(v[$0]) }.reduce(0, +) }
    let worst = gradientMismatch(analytic, numericGradient(x.map(Double.init), loss), rtol: 1e-5, atol: 1e-6)
    #expect(worst.ratio <= 1, "\(activation): \(worst)")
  }

  @Test func enumsKeepTheirRawValues() {
    #expect(BinarizationEstimator.allCases.map(\.rawValue) == ["sign", "sign_s", "sigmoid", "squarewave"])
    #expect(OutputActivation.allCases.map(\.rawValue) == ["none", "sigmoid", "tanh", "relu"])
    #expect(BinarizationEstimator(rawValue: "sign_s") == .signS)
  }
}
