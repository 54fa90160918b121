import Checkpoints
import Foundation
import TensorCore
import TestSupport
import Testing

@testable import Autoencoders

// Parity with PyTorch: `scripts/make_autoencoder_fixtures.py` trains a BAE (sign_s, entropy and
// covariance penalties), a plain BAE, a ReLU+L1 SAE and a TopK SAE for three Adam steps from
// saved weights on saved batches. The library's training step and Adam must reproduce every
// loss term, code, gradient and updated weight.

/// The committed fixture folder (`Tests/AutoencodersTests/Resources`).
private let resources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources")

/// The four parameter tensors of an autoencoder in `nn.Linear` layout, in fixture order.
private let parameterNames = ["encoder.weight", "encoder.bias", "decoder.weight", "decoder.bias"]

/// Which autoencoder a fixture variant trains.
enum ParityVariant: String, CaseIterable, Sendable {
  case bae, baePlain = "bae_plain", relu, topk

  var entropyWeight: Float { self == .bae ? 1e-3 : 0 }
  var covarianceWeight: Float { self == .bae ? 1e-3 : 0 }
  var l1Weight: Float { self == .relu ? 1e-3 : 0 }
  var isBinary: Bool { self == .bae || self == .baePlain }
}

/// What one training step computes, for comparison with the fixture.
struct ParityStep {
  var losses: [String: Double] = [:]
  var codes: [Float] = []
  var codeGradient: [Float] = []
  /// `∂L/∂z` after the backward pass (SAEs: `mask ⊙ ∂L/∂h`).
  var preGradient: [Float] = []
  var gradients: [String: [Float]] = [:]
}

/// The library's own training step (`TrainingStep` forward + backward, `AdamOptimizer`) driven
/// on the fixture's batches; weights are converted between `nn.Linear` layout (`[out, in]`) and
/// the SAELens layout the library uses (`W_enc [d, m]`, `W_dec [m, d]`).
struct ParityTrainer {
  let variant: ParityVariant
  let d: Int
  let m: Int
  let step: TrainingStep
  var weights: AutoencoderWeights
  var optimizer: AdamOptimizer

  /// - Parameter sparseProducts: the SAEs run every step through the sparse products (over the
  ///   kept codes) instead of the dense GEMMs; `false` forces the GEMMs.
  init(variant: ParityVariant, d: Int, m: Int, initial: [String: [Float]], sparseProducts: Bool = false) {
    self.variant = variant
    self.d = d
    self.m = m
    let architecture: Architecture = variant.isBinary ? .bae : (variant == .relu ? .relu : .topk)
    step = TrainingStep(
      configuration: AutoencoderConfiguration(architecture: architecture, inputWidth: d, codeWidth: m, topK: 4))
    step.sparseDensityLimit = sparseProducts ? 1 : -1
    weights = AutoencoderWeights(
      encoderWeight: Matrix(rows: m, columns: d, values: initial["encoder.weight"]!).transposed(),
      encoderBias: Matrix(rows: 1, columns: m, values: initial["encoder.bias"]!),
      decoderWeight: Matrix(rows: d, columns: m, values: initial["decoder.weight"]!).transposed(),
      decoderBias: Matrix(rows: 1, columns: d, values: initial["decoder.bias"]!),
      threshold: Matrix(rows: 1, columns: 0))
    optimizer = AdamOptimizer(hyperparameters: AdamHyperparameters(learningRate: 1e-3), weights: weights)
  }

  /// The parameters in the fixture's `nn.Linear` layout.
  var parameters: [String: [Float]] {
    [
      "encoder.weight": weights.encoderWeight.transposed().values, "encoder.bias": weights.encoderBias.values,
      "decoder.weight": weights.decoderWeight.transposed().values, "decoder.bias": weights.decoderBias.values,
    ]
  }

  /// Forward, backward and one Adam update on the batch `x` [B, d].
  mutating func train(_ x: [Float], rows B: Int) -> ParityStep {
    let input = Matrix(rows: B, columns: d, values: x)
    var regularizers = RegularizerWeights()
    regularizers.entropy = variant.entropyWeight
    regularizers.covariance = variant.covarianceWeight
    regularizers.l1 = variant.l1Weight
    let context = ComputeContext.serial
    let terms = step.forward(
      weights: weights, input: input, target: input, regularizers: regularizers, training: true, context: context)
    var gradients = weights.zeros()
    step.backward(weights: weights, input: input, target: input, into: &gradients, context: context)
    optimizer.update(&weights, gradients: gradients, trainable: ["W_enc", "b_enc", "W_dec", "b_dec"])

    var record = ParityStep()
    record.losses["mse"] = terms.mse
    record.losses["total"] = terms.total
    if variant.isBinary {
      record.losses["entropy"] = terms.entropy
      record.losses["covariance"] = terms.covariance
    }
    if variant == .relu { record.losses["l1"] = terms.l1 }
    record.codes = step.codes.values
    record.codeGradient = step.codeGradient.values
    record.preGradient = step.pre.values
    record.gradients = [
      "encoder.weight": gradients.encoderWeight.transposed().values, "encoder.bias": gradients.encoderBias.values,
      "decoder.weight": gradients.decoderWeight.transposed().values, "decoder.bias": gradients.decoderBias.values,
    ]
    return record
  }
}

@Suite struct ParityTests {
  /// Loss terms: |swift − torch| ≤ tolerance·|torch|. Tensors (SAE latents, code gradients,
  /// parameter gradients): max |swift − torch| ≤ tolerance·max |torch|. Updated weights: max abs
  /// diff ≤ tolerance. Binary codes and the SAEs' kept sets must be identical.
  static let tolerance = 1e-5

  /// The SAEs twice: through the dense GEMMs and through the sparse products.
  static let runs: [(ParityVariant, Bool)] =
    ParityVariant.allCases.map { ($0, false) } + [(.relu, true), (.topk, true)]

  @Test(arguments: runs)
  func threeStepsMatchPyTorch(variant: ParityVariant, sparseProducts: Bool) throws {
    let fixture = try SafetensorsFile(resources.appendingPathComponent("parity.safetensors"))
    let (d, m, batch) = (16, 64, 64)
    let data = try fixture.floats("data")
    let batches = try fixture.int32s("steps/batches")
    #expect(data.count == 256 * d && batches.count == 3 * batch)
    var initial: [String: [Float]] = [:]
    for name in parameterNames { initial[name] = try fixture.floats("init/\(name)") }
    var trainer = ParityTrainer(variant: variant, d: d, m: m, initial: initial, sparseProducts: sparseProducts)

    var worst: (relative: Double, what: String) = (0, "")
    func check(_ relative: Double, _ what: String) {
      #expect(relative <= Self.tolerance, "\(variant.rawValue) \(what): \(relative)")
      if !(relative <= worst.relative) { worst = (relative, what) }
    }
    for s in 0..<3 {
      let rows = batches[(s * batch)..<((s + 1) * batch)]
      let x = rows.flatMap { data[(Int($0) * d)..<(Int($0) * d + d)] }
      let result = trainer.train(x, rows: batch)
      let prefix = "\(variant.rawValue)/step\(s)"

      let codes = try fixture.floats("\(prefix)/codes")
      #expect(result.codes.count == codes.count)
      if variant.isBinary {
        let differing = zip(result.codes, codes).filter { $0 != $1 }.count
        #expect(differing == 0, "\(prefix): \(differing) binary codes differ")
      } else {
        // Real-valued latents: the same kept set, values within tolerance.
        let differing = zip(result.codes, codes).filter { ($0 != 0) != ($1 != 0) }.count
        #expect(differing == 0, "\(prefix): \(differing) latents kept on one side only")
        check(scaledDifference(result.codes, codes), "\(prefix) codes")
      }
      let terms =
        variant.isBinary
        ? ["mse", "entropy", "covariance", "total"] : (variant == .relu ? ["mse", "l1", "total"] : ["mse", "total"])
      #expect(Set(result.losses.keys) == Set(terms))
      for term in terms {
        let expected = Double(try fixture.floats("\(prefix)/loss/\(term)")[0])
        check(abs(result.losses[term]! - expected) / abs(expected), "\(prefix) loss \(term)")
      }
      let codeGradient = try fixture.floats("\(prefix)/grad/codes")
      if sparseProducts {
        // The sparse step computes ∂L/∂h at the kept codes only, as ∂L/∂z.
        let masked = zip(codeGradient, codes).map { $1 != 0 ? $0 : 0 }
        check(scaledDifference(result.preGradient, masked), "\(prefix) grad pre-activations (kept codes)")
      } else {
        check(scaledDifference(result.codeGradient, codeGradient), "\(prefix) grad codes")
      }
      for name in parameterNames {
        check(
          scaledDifference(result.gradients[name]!, try fixture.floats("\(prefix)/grad/\(name)")),
          "\(prefix) grad \(name)")
        let after = try fixture.floats("\(prefix)/after/\(name)")
        check(Double(maxAbsDiff(trainer.parameters[name]!, after)), "\(prefix) weights \(name)")
      }
    }
    print(
      "[parity] \(variant.rawValue)\(sparseProducts ? " sparse" : ""): worst relative difference \(worst.relative) (\(worst.what))")
  }

  /// 300 steps on the fixture's batch order: the loss curve follows PyTorch's. A code bit can flip
  /// where a pre-activation is within rounding of 0, after which the trajectories separate slowly,
  /// so the bound is looser than for the first steps; the measured drift is printed.
  static let curveTolerance = 1e-4  // measured here: ≤ 2.1e-7 over all 300 steps, no code flip

  @Test(arguments: runs)
  func lossCurveFollowsPyTorch(variant: ParityVariant, sparseProducts: Bool) throws {
    let fixture = try SafetensorsFile(resources.appendingPathComponent("parity.safetensors"))
    let (d, m, batch) = (16, 64, 64)
    let data = try fixture.floats("data")
    let order = try fixture.int32s("curve/batches")
    let expected = try fixture.floats("\(variant.rawValue)/curve/loss")
    var initial: [String: [Float]] = [:]
    for name in parameterNames { initial[name] = try fixture.floats("init/\(name)") }
    var trainer = ParityTrainer(variant: variant, d: d, m: m, initial: initial, sparseProducts: sparseProducts)
    var worst = 0.0
    var firstAbove1e5: Int?
    for s in 0..<expected.count {
      let rows = order[(s * batch)..<((s + 1) * batch)]
      let x = rows.flatMap { data[(Int($0) * d)..<(Int($0) * d + d)] }
      let loss = trainer.train(x, rows: batch).losses["total"]!
      let relative = abs(loss - Double(expected[s])) / abs(Double(expected[s]))
      if relative > 1e-5, firstAbove1e5 == nil { firstAbove1e5 = s }
      worst = max(worst, relative)
    }
    print(
      "[parity-curve] \(variant.rawValue)\(sparseProducts ? " sparse" : ""): 300 steps, worst relative loss difference \(worst), first step above 1e-5: \(firstAbove1e5.map(String.init) ?? "none")"
    )
    #expect(worst <= Self.curveTolerance, "\(variant.rawValue): loss curve drifted by \(worst)")
  }

  @Test func fixtureHoldsTheLossCurves() throws {
    let fixture = try SafetensorsFile(resources.appendingPathComponent("parity.safetensors"))
    #expect(try fixture.int32s("curve/batches").count == 300 * 64)
    for variant in ParityVariant.allCases {
      let curve = try fixture.floats("\(variant.rawValue)/curve/loss")
      #expect(curve.count == 300)
      #expect(curve.last! < curve.first!, "\(variant.rawValue) loss should fall over 300 steps")
    }
  }
}
