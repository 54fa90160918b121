import Autoencoders
import Checkpoints
import Foundation
import TensorCore
import TestSupport
import Testing

// Parity with PyTorch: `scripts/make_autoencoder_fixtures.py` trains a BAE (sign_s, entropy and
// covariance penalties), a plain BAE, a ReLU+L1 SAE and a TopK SAE for three Adam steps from
// saved weights on saved batches. Composing the kernels here (gemm linears, binarize or the
// sparse selection, losses, hand-written backward, Adam) must reproduce every loss term,
// code, gradient and updated weight.

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
  var gradients: [String: [Float]] = [:]
}

/// A tiny autoencoder trainer built from the kernels (the real trainer comes later):
/// `z = x·W_encᵀ + b_enc`, codes = binarize(z) / relu(z) / topk(z), `x̂ = codes·W_decᵀ + b_dec`.
struct ParityTrainer {
  let variant: ParityVariant
  let d: Int
  let m: Int
  var parameters: [String: [Float]]
  var firstMoments: [String: [Float]]
  var secondMoments: [String: [Float]]
  var step = 0
  let adam = AdamHyperparameters(learningRate: 1e-3)

  init(variant: ParityVariant, d: Int, m: Int, initial: [String: [Float]]) {
    self.variant = variant
    self.d = d
    self.m = m
    parameters = initial
    firstMoments = initial.mapValues { [Float](repeating: 0, count: $0.count) }
    secondMoments = firstMoments
  }

  /// Forward, backward and one Adam update on the batch `x` [B, d].
  mutating func train(_ x: [Float], rows B: Int) -> ParityStep {
    let (d, m) = (self.d, self.m)
    var record = ParityStep()
    let wEnc = parameters["encoder.weight"]!, bEnc = parameters["encoder.bias"]!
    let wDec = parameters["decoder.weight"]!, bDec = parameters["decoder.bias"]!

    // Forward.
    var z = [Float](repeating: 0, count: B * m)
    linear(&z, x, wEnc, rows: B, inDim: d, outDim: m)
    for i in 0..<B { for j in 0..<m { z[i * m + j] += bEnc[j] } }
    var codes = [Float](repeating: 0, count: B * m)
    var mask = [UInt8](repeating: 0, count: B * m)
    switch variant {
    case .bae, .baePlain: binarizeForward(&codes, z, count: B * m, estimator: .signS)
    case .relu: reluForward(&codes, mask: &mask, z, count: B * m)
    case .topk: topKForward(&codes, mask: &mask, z, rows: B, columns: m, k: 4)
    }
    var reconstruction = [Float](repeating: 0, count: B * d)
    linear(&reconstruction, codes, wDec, rows: B, inDim: m, outDim: d)
    for i in 0..<B { for t in 0..<d { reconstruction[i * d + t] += bDec[t] } }

    // Losses and the gradient with respect to the codes.
    let mse = meanSquaredError(reconstruction, target: x, count: B * d)
    var total = mse
    record.losses["mse"] = mse
    var reconstructionGradient = [Float](repeating: 0, count: B * d)
    meanSquaredErrorBackward(&reconstructionGradient, reconstruction: reconstruction, target: x, count: B * d)
    var codeGradient = [Float](repeating: 0, count: B * m)
    // dL/dcodes [B, m] = dL/dx̂ [B, d] · W_dec [d, m]
    gemm(&codeGradient, ldc: m, reconstructionGradient, lda: d, wDec, ldb: m, m: B, n: m, k: d)
    if variant.isBinary {
      var means = [Float](repeating: 0, count: m)
      let entropy = codeEntropy(&means, codes: codes, rows: B, columns: m)
      record.losses["entropy"] = entropy
      total += Double(variant.entropyWeight) * thresholdedEntropy(entropy, threshold: 0)
      codeEntropyBackward(
        &codeGradient, columnMeans: means, rows: B, columns: m, entropy: entropy, threshold: 0,
        weight: variant.entropyWeight, accumulate: true)

      let (W, V) = (bitWordCount(B), bitWordCount(m))
      var columnBits = [UInt64](repeating: 0, count: m * W)
      var rowBits = [UInt64](repeating: 0, count: B * V)
      var cooccurrence = [Int32](repeating: 0, count: m * m)
      var signBits = [UInt64](repeating: 0, count: V * 2 * m)
      var counts = [Int32](repeating: 0, count: B * 2 * m)
      packCodeColumns(&columnBits, codes: codes, rows: B, columns: m)
      packCodeRows(&rowBits, codes: codes, rows: B, columns: m)
      codeCooccurrence(&cooccurrence, columnBits: columnBits, rows: B, columns: m)
      let covariance = binaryCovariancePenalty(nil, cooccurrence: cooccurrence, rows: B, columns: m)
      record.losses["covariance"] = covariance
      total += Double(variant.covarianceWeight) * covariance
      binaryCovariancePenaltyBackward(
        &codeGradient, signBits: &signBits, counts: &counts, cooccurrence: cooccurrence, rowBits: rowBits,
        rows: B, columns: m, weight: variant.covarianceWeight, accumulate: true)
    }
    if variant == .relu {
      let l1 = l1Penalty(codes, count: B * m)
      record.losses["l1"] = l1
      total += Double(variant.l1Weight) * l1
      l1PenaltyBackward(&codeGradient, latents: codes, count: B * m, weight: variant.l1Weight, accumulate: true)
    }
    record.losses["total"] = total

    // Backward through the encoder.
    var preactivationGradient = [Float](repeating: 0, count: B * m)
    if variant.isBinary {
      binarizeBackward(
        &preactivationGradient, codeGradient: codeGradient, preactivations: z, count: B * m, estimator: .signS)
    } else {
      maskedBackward(&preactivationGradient, outputGradient: codeGradient, mask: mask, count: B * m)
    }
    var gradients: [String: [Float]] = [:]
    // dW_dec [d, m] = dx̂ᵀ [d, B] · codes [B, m];  dW_enc [m, d] = dzᵀ [m, B] · x [B, d]
    var decoderWeight = [Float](repeating: 0, count: d * m)
    gemm(&decoderWeight, ldc: m, reconstructionGradient, lda: d, transposeA: true, codes, ldb: m, m: d, n: m, k: B)
    var encoderWeight = [Float](repeating: 0, count: m * d)
    gemm(&encoderWeight, ldc: d, preactivationGradient, lda: m, transposeA: true, x, ldb: d, m: m, n: d, k: B)
    gradients["decoder.weight"] = decoderWeight
    gradients["encoder.weight"] = encoderWeight
    gradients["decoder.bias"] = Self.columnSums(reconstructionGradient, rows: B, columns: d)
    gradients["encoder.bias"] = Self.columnSums(preactivationGradient, rows: B, columns: m)

    step += 1
    for name in parameterNames {
      let g = gradients[name]!
      adamStep(
        &parameters[name]!, gradients: g, firstMoments: &firstMoments[name]!, secondMoments: &secondMoments[name]!,
        count: g.count, step: step, hyperparameters: adam)
    }
    record.codes = codes
    record.codeGradient = codeGradient
    record.gradients = gradients
    return record
  }

  /// Bias gradient: the column sums of `[rows, columns]`, in Double.
  static func columnSums(_ a: [Float], rows: Int, columns: Int) -> [Float] {
    var sums = [Double](repeating: 0, count: columns)
    for i in 0..<rows { for j in 0..<columns { sums[j] += Double(a[i * columns + j]) } }
    return sums.map { Float($0) }
  }
}

@Suite struct ParityTests {
  /// Loss terms: |swift − torch| ≤ tolerance·|torch|. Tensors (SAE latents, code gradients,
  /// parameter gradients): max |swift − torch| ≤ tolerance·max |torch|. Updated weights: max abs
  /// diff ≤ tolerance. Binary codes and the SAEs' kept sets must be identical.
  static let tolerance = 1e-5

  @Test(arguments: ParityVariant.allCases)
  func threeStepsMatchPyTorch(variant: ParityVariant) throws {
    let fixture = try SafetensorsFile(resources.appendingPathComponent("parity.safetensors"))
    let (d, m, batch) = (16, 64, 64)
    let data = try fixture.floats("data")
    let batches = try fixture.int32s("steps/batches")
    #expect(data.count == 256 * d && batches.count == 3 * batch)
    var initial: [String: [Float]] = [:]
    for name in parameterNames { initial[name] = try fixture.floats("init/\(name)") }
    var trainer = ParityTrainer(variant: variant, d: d, m: m, initial: initial)

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
      let terms = variant.isBinary ? ["mse", "entropy", "covariance", "total"] : (variant == .relu ? ["mse", "l1", "total"] : ["mse", "total"])
      #expect(Set(result.losses.keys) == Set(terms))
      for term in terms {
        let expected = Double(try fixture.floats("\(prefix)/loss/\(term)")[0])
        check(abs(result.losses[term]! - expected) / abs(expected), "\(prefix) loss \(term)")
      }
      check(scaledDifference(result.codeGradient, try fixture.floats("\(prefix)/grad/codes")), "\(prefix) grad codes")
      for name in parameterNames {
        check(scaledDifference(result.gradients[name]!, try fixture.floats("\(prefix)/grad/\(name)")), "\(prefix) grad \(name)")
        let after = try fixture.floats("\(prefix)/after/\(name)")
        check(Double(maxAbsDiff(trainer.parameters[name]!, after)), "\(prefix) weights \(name)")
      }
    }
    print("[parity] \(variant.rawValue): worst relative difference \(worst.relative) (\(worst.what))")
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
