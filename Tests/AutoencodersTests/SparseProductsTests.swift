import Foundation
import TensorCore
import TestSupport
import Testing

@testable import Autoencoders

/// The sparse products of a training step against their naive dense twins (Double sums over
/// every code, zeros included), for several worker counts; and a whole TopK/BatchTopK/JumpReLU
/// step through them against the same step through the GEMMs.
@Suite struct SparseProductsTests {
  /// A batch with a random keep mask of the given density; codes are 0 outside it.
  struct Batch {
    let B: Int
    let m: Int
    let d: Int
    var mask: [UInt8]
    var codes: [Float]
    var weight: [Float]  // W_dec [m, d]
    var g: [Float]  // ∂a [B, d]
    var r: [Float]  // regulariser gradient [B, m]
    var x: [Float]  // input [B, d]

    init(B: Int, m: Int, d: Int, density: Double, seed: UInt64) {
      (self.B, self.m, self.d) = (B, m, d)
      var rng = SeededRandom(seed: seed)
      mask = (0..<(B * m)).map { _ in Double.random(in: 0..<1, using: &rng) < density ? 1 : 0 }
      codes = mask.map { $0 == 1 ? Float.random(in: 0.1...2, using: &rng) : 0 }
      weight = rng.floats(m * d)
      g = rng.floats(B * d)
      r = rng.floats(B * m, scale: 0.1)
      x = rng.floats(B * d)
    }

    func index() -> (start: [Int32], columns: [Int32], count: Int) {
      var start = [Int32](repeating: -1, count: B + 1)
      var columns = [Int32](repeating: -1, count: B * m)
      let count = keptIndex(start: &start, columns: &columns, mask: mask, rows: B, width: m)
      return (start, columns, count)
    }
  }

  static func closeEnough(_ actual: [Float], _ expected: [Double], terms: Int) -> Bool {
    zip(actual, expected).allSatisfy { abs(Double($0) - $1) <= 1e-5 * Double(terms) * max(1, abs($1)) }
  }

  @Test(arguments: [(1, 1, 1, 1.0), (7, 33, 5, 0.2), (64, 200, 24, 0.03), (33, 64, 16, 0.0)])
  func productsMatchTheDenseTwins(shape: (Int, Int, Int, Double)) {
    let (B, m, d, density) = shape
    let b = Batch(B: B, m: m, d: d, density: density, seed: UInt64(B * 1000 + m))
    let (start, columns, count) = b.index()
    #expect(count == b.mask.filter { $0 == 1 }.count)
    for i in 0..<B {
      let row = columns[Int(start[i])..<Int(start[i + 1])].map(Int.init)
      #expect(row == (0..<m).filter { b.mask[i * m + $0] == 1 }, "row \(i)")
    }
    // Dense twins in Double.
    var decoded = [Double](repeating: 0, count: B * d)
    var decoderGradient = [Double](repeating: 0, count: m * d)
    var preGradient = [Double](repeating: 0, count: B * m)
    var encoderGradient = [Double](repeating: 0, count: d * m)
    for i in 0..<B {
      for j in 0..<m {
        let h = Double(b.codes[i * m + j])
        var dot = 0.0
        for p in 0..<d {
          decoded[i * d + p] += h * Double(b.weight[j * d + p])
          decoderGradient[j * d + p] += h * Double(b.g[i * d + p])
          dot += Double(b.g[i * d + p]) * Double(b.weight[j * d + p])
        }
        preGradient[i * m + j] = b.mask[i * m + j] == 1 ? Double(b.r[i * m + j]) + dot : 0
      }
    }
    for p in 0..<d {
      for j in 0..<m {
        for i in 0..<B { encoderGradient[p * m + j] += Double(b.x[i * d + p]) * preGradient[i * m + j] }
      }
    }
    var reference: [[Float]]?
    for workers in [1, 3] {
      var out = [Float](repeating: 0, count: B * d)
      sparseDecode(
        &out, codes: b.codes, start: start, columns: columns, weight: b.weight, rows: B, width: m, outputWidth: d,
        workers: workers)
      var dw = [Float](repeating: .nan, count: m * d)
      sparseDecoderWeightGradient(
        &dw, codes: b.codes, start: start, columns: columns, outputGradient: b.g, rows: B, width: m, outputWidth: d,
        workers: workers)
      var dz = [Float](repeating: .nan, count: B * m)
      sparsePreGradient(
        &dz, codeGradient: b.r, start: start, columns: columns, outputGradient: b.g, weight: b.weight, rows: B,
        width: m, outputWidth: d, workers: workers)
      var de = [Float](repeating: .nan, count: d * m)
      var transposed = [Float](repeating: .nan, count: m * d)
      sparseEncoderWeightGradient(
        &de, transposed: &transposed, input: b.x, preGradient: dz, start: start, columns: columns, rows: B,
        inputWidth: d, width: m, workers: workers)
      #expect(Self.closeEnough(out, decoded, terms: m))
      #expect(Self.closeEnough(dw, decoderGradient, terms: B))
      #expect(Self.closeEnough(dz, preGradient, terms: d))
      #expect(Self.closeEnough(de, encoderGradient, terms: B * d))
      // Every output element is summed in one order whatever the worker count.
      if let reference { #expect(reference == [out, dw, dz, de], "worker count changed the results") }
      reference = [out, dw, dz, de]
    }
  }

  /// A whole step (forward, backward) through the sparse products equals the step through the
  /// GEMMs: loss terms, codes and every gradient within f32 rounding of the sums' order.
  @Test(arguments: [Architecture.topk, .batchtopk, .jumprelu, .relu])
  func aSparseStepEqualsTheDenseStep(architecture: Architecture) throws {
    let (B, d, m) = (48, 24, 192)
    var c = AutoencoderConfiguration(architecture: architecture, inputWidth: d, codeWidth: m, topK: 6)
    if architecture == .jumprelu { c.jumpThreshold = 1.2 }
    var rng = SeededRandom(seed: 41)
    let weights = AutoencoderWeights(configuration: c, random: &rng)
    let input = Matrix(rows: B, columns: d, values: rng.floats(B * d, scale: 2))
    var regularizers = RegularizerWeights()
    regularizers.l1 = 1e-3
    var results: [(terms: LossTerms, codes: [Float], gradients: AutoencoderWeights, sparse: Bool)] = []
    for limit in [-1.0, 1.0] {
      let step = TrainingStep(configuration: c)
      step.sparseDensityLimit = limit
      let terms = step.forward(
        weights: weights, input: input, target: input, regularizers: regularizers, training: true,
        context: ComputeContext(threads: 2))
      var gradients = weights.zeros()
      step.backward(weights: weights, input: input, target: input, into: &gradients, context: ComputeContext(threads: 2))
      results.append((terms, step.codes.values, gradients, step.usedSparseProducts))
    }
    let (dense, sparse) = (results[0], results[1])
    #expect(!dense.sparse && sparse.sparse)
    #expect(dense.codes == sparse.codes)
    #expect(abs(dense.terms.total - sparse.terms.total) <= 1e-6 * abs(dense.terms.total))
    for (name, a, b) in [
      ("W_enc", sparse.gradients.encoderWeight, dense.gradients.encoderWeight),
      ("b_enc", sparse.gradients.encoderBias, dense.gradients.encoderBias),
      ("W_dec", sparse.gradients.decoderWeight, dense.gradients.decoderWeight),
      ("b_dec", sparse.gradients.decoderBias, dense.gradients.decoderBias),
    ] {
      #expect(a.rows == b.rows && a.columns == b.columns, "\(name) shape")
      #expect(scaledDifference(a.values, b.values) <= 1e-5, "\(architecture) \(name)")
    }
  }
}
