import Autoencoders
import Foundation
import TensorCore
import TestSupport
import Testing

/// Adam against a hand loop of torch's formulas in Double, and the decoder-direction helpers
/// against plain loops.
@Suite struct OptimizerTests {
  @Test(arguments: [0.0, 0.01])
  func adamMatchesTorchFormulasForThreeSteps(weightDecay: Double) {
    let hyper = AdamHyperparameters(
      learningRate: 1e-2, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: weightDecay)
    var rng = SeededRandom(seed: 90)
    let n = 40
    var w = rng.floats(n)
    var m = [Float](repeating: 0, count: n)
    var v = [Float](repeating: 0, count: n)
    var (w64, m64, v64) = (w.map(Double.init), [Double](repeating: 0, count: n), [Double](repeating: 0, count: n))
    for step in 1...3 {
      let g = rng.floats(n, scale: 0.5)
      adamStep(&w, gradients: g, firstMoments: &m, secondMoments: &v, count: n, step: step, hyperparameters: hyper)
      let t = Double(step)
      for i in 0..<n {
        let grad = Double(g[i]) + weightDecay * w64[i]
        m64[i] = hyper.beta1 * m64[i] + (1 - hyper.beta1) * grad
        v64[i] = hyper.beta2 * v64[i] + (1 - hyper.beta2) * grad * grad
        let stepSize = hyper.learningRate / (1 - pow(hyper.beta1, t))
        let denominator = v64[i].squareRoot() / (1 - pow(hyper.beta2, t)).squareRoot() + hyper.epsilon
        w64[i] -= stepSize * m64[i] / denominator
      }
      for i in 0..<n {
        #expect(abs(Double(w[i]) - w64[i]) <= 1e-6, "step \(step) weight \(i)")
        #expect(abs(Double(m[i]) - m64[i]) <= 1e-6 * max(1, abs(m64[i])), "step \(step) m \(i)")
        #expect(abs(Double(v[i]) - v64[i]) <= 1e-6 * max(1e-3, abs(v64[i])), "step \(step) v \(i)")
      }
    }
  }

  /// The vectorised kernel against its naive twin, the plain Float loop of torch's formulas in
  /// the same operation order: bit for bit, with and without weight decay, over a length that
  /// leaves a vector tail.
  @Test(arguments: [0.0, 0.01])
  func adamKernelEqualsThePlainLoopBitForBit(weightDecay: Double) {
    let h = AdamHyperparameters(learningRate: 3e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: weightDecay)
    var rng = SeededRandom(seed: 92)
    let n = 1037
    var w = rng.floats(n)
    var (m, v) = ([Float](repeating: 0, count: n), [Float](repeating: 0, count: n))
    var (w2, m2, v2) = (w, m, v)
    for step in 1...4 {
      let g = rng.floats(n, scale: 0.5)
      adamStep(&w, gradients: g, firstMoments: &m, secondMoments: &v, count: n, step: step, hyperparameters: h)
      let t = Double(step)
      let (wd, b1, b2) = (Float(h.weightDecay), Float(1 - h.beta1), Float(h.beta2))
      let oneMinusB2 = Float(1 - h.beta2)
      let stepSize = Float(h.learningRate / (1 - pow(h.beta1, t)))
      let c2 = Float((1 - pow(h.beta2, t)).squareRoot())
      let eps = Float(h.epsilon)
      for i in 0..<n {
        var gi = g[i]
        if weightDecay != 0 { gi += wd * w2[i] }
        let mi = m2[i] + b1 * (gi - m2[i])
        let vi = v2[i] * b2 + oneMinusB2 * gi * gi
        m2[i] = mi
        v2[i] = vi
        w2[i] += -stepSize * (mi / (vi.squareRoot() / c2 + eps))
      }
      #expect(w.map(\.bitPattern) == w2.map(\.bitPattern), "weights, step \(step)")
      #expect(m.map(\.bitPattern) == m2.map(\.bitPattern) && v.map(\.bitPattern) == v2.map(\.bitPattern))
    }
  }

  @Test func adamFirstStepMovesEachWeightByTheLearningRate() {
    // With m̂ = g and v̂ = g² on step 1, the update is lr·g/(|g| + ε) ≈ lr·sign(g).
    var w: [Float] = [0, 0, 0]
    var m: [Float] = [0, 0, 0]
    var v: [Float] = [0, 0, 0]
    adamStep(
      &w, gradients: [2, -0.5, 0], firstMoments: &m, secondMoments: &v, count: 3, step: 1,
      hyperparameters: AdamHyperparameters(learningRate: 0.1))
    #expect(abs(w[0] + 0.1) < 1e-6 && abs(w[1] - 0.1) < 1e-6 && w[2] == 0)
  }

  /// Both layouts: W_dec [m, d] rows, and nn.Linear(m, d).weight [d, m] columns.
  @Test(arguments: [true, false])
  func decoderDirectionsNormaliseAndProject(featureMajor: Bool) {
    let (m, d) = (7, 5)
    var rng = SeededRandom(seed: 91)
    var weights = rng.floats(m * d, scale: 3)
    let (featureStride, elementStride) = featureMajor ? (d, 1) : (1, m)
    func index(_ j: Int, _ t: Int) -> Int { j * featureStride + t * elementStride }
    // Feature 2 is all zero: left unchanged by both helpers.
    for t in 0..<d { weights[index(2, t)] = 0 }
    let original = weights
    normalizeDecoderDirections(
      &weights, features: m, width: d, featureStride: featureStride, elementStride: elementStride)
    for j in 0..<m where j != 2 {
      let norm = (0..<d).map { Double(original[index(j, $0)]) * Double(original[index(j, $0)]) }.reduce(0, +)
        .squareRoot()
      for t in 0..<d { #expect(abs(Double(weights[index(j, t)]) - Double(original[index(j, t)]) / norm) <= 1e-6) }
    }
    #expect((0..<d).allSatisfy { weights[index(2, $0)] == 0 })

    let gradient = rng.floats(m * d)
    var projected = gradient
    removeParallelDecoderGradient(
      &projected, weights: weights, features: m, width: d, featureStride: featureStride, elementStride: elementStride)
    for j in 0..<m {
      let dot = (0..<d).map { Double(gradient[index(j, $0)]) * Double(weights[index(j, $0)]) }.reduce(0, +)
      for t in 0..<d {
        // Unit-norm rows: SAELens's g − (g·w)w.
        let expected = Double(gradient[index(j, t)]) - dot * Double(weights[index(j, t)])
        #expect(abs(Double(projected[index(j, t)]) - expected) <= 1e-6, "feature \(j)")
      }
    }
  }
}
