@testable import Autoencoders
import Foundation
import TensorCore
import TestSupport
import Testing

/// The optional training aids (penalty warm-ups, learning-rate decay, input normalisation) do
/// what their documentation says, and their defaults leave the reference's training unchanged.
@Suite struct TrainingScheduleTests {
  @Test func defaultsAreTheReferenceSchedule() {
    var o = TrainingOptions()
    o.entropyWeight = 1e-3
    o.entropyStartEpoch = 3
    o.covarianceWeight = 2e-3
    let entropy: [Float] = (0..<8).map { o.regularizers(epoch: $0, architecture: .bae).entropy }
    #expect(entropy == [0, 0, 0, 1e-3, 1e-3, 1e-3, 1e-3, 1e-3])
    #expect((0..<8).allSatisfy { o.regularizers(epoch: $0, architecture: .bae).covariance == 2e-3 })
    #expect((0..<50).allSatisfy { o.learningRate(step: $0, stepsPerEpoch: 5) == o.learningRate })
    #expect(!o.normalizeInputs)
  }

  @Test func penaltiesRampLinearlyFromTheirStartEpochs() {
    var o = TrainingOptions()
    o.entropyWeight = 1e-3
    o.entropyStartEpoch = 2
    o.entropyWarmupEpochs = 4
    o.covarianceWeight = 2e-3
    o.covarianceWarmupEpochs = 5
    let entropy = [0, 0, 0.25e-3, 0.5e-3, 0.75e-3, 1e-3, 1e-3, 1e-3]
    let covariance = [0.4e-3, 0.8e-3, 1.2e-3, 1.6e-3, 2e-3, 2e-3, 2e-3, 2e-3]
    for epoch in 0..<8 {
      #expect(abs(o.entropyWeight(epoch: epoch) - entropy[epoch]) < 1e-15, "entropy, epoch \(epoch)")
      #expect(abs(o.covarianceWeight(epoch: epoch) - covariance[epoch]) < 1e-15, "covariance, epoch \(epoch)")
      let weights = o.regularizers(epoch: epoch, architecture: .bae)
      #expect(weights.entropy == Float(entropy[epoch]) && weights.covariance == Float(covariance[epoch]))
    }
    #expect(o.regularizers(epoch: 5, architecture: .relu) == RegularizerWeights())
  }

  @Test func learningRateDecaysOverTheLastEpochs() {
    var o = TrainingOptions()
    o.learningRate = 4e-3
    o.epochs = 6
    o.learningRateDecayEpochs = 2
    o.finalLearningRateFraction = 0.1
    // 4 steps per epoch: the full rate over steps 0...15, then 8 steps down to 4e-4 at step 23.
    let rates = (0..<24).map { o.learningRate(step: $0, stepsPerEpoch: 4) }
    let decay: [Double] = (1...8).map { (k: Int) -> Double in 4e-3 * (1 - 0.9 * Double(k) / 8) }
    let expected: [Double] = Array(repeating: 4e-3, count: 16) + decay
    #expect(zip(rates, expected).allSatisfy { abs($0 - $1) < 1e-15 }, "\(rates)")
    #expect(abs(rates[23] - 4e-4) < 1e-15)
    o.learningRateDecayEpochs = 6
    #expect(abs(o.learningRate(step: 0, stepsPerEpoch: 4) - 4e-3 * (1 - 0.9 / 24)) < 1e-15)
  }

  /// The Trainer sets Adam's rate from the schedule at every step.
  @Test func trainerFollowsTheSchedule() throws {
    let x = SyntheticCodes(bits: 4, width: 8, rows: 64, seed: 5).samples
    var o = TrainingOptions()
    o.epochs = 3
    o.batchSize = 16
    o.trainFraction = 1
    o.learningRateDecayEpochs = 2
    o.finalLearningRateFraction = 0.25
    var rates: [Double] = []
    let trainer = try Trainer(
      configuration: AutoencoderConfiguration(architecture: .bae, inputWidth: 8, codeWidth: 16), options: o, inputs: x,
      output: nil, context: .serial)
    try trainer.run { _ in rates.append(trainer.optimizer.hyperparameters.learningRate) }
    #expect(rates == (0..<12).map { o.learningRate(step: $0, stepsPerEpoch: 4) })
    #expect(rates[3] == 1e-3 && abs(rates[11] - 0.25e-3) < 1e-15)
  }

  /// With `normalizeInputs`, a run does not depend on the scale of the data (a power of two keeps
  /// every product exact), and the returned weights apply to the raw rows.
  @Test(arguments: [Architecture.bae, .relu])
  func normalizedTrainingIsScaleFreeAndReturnsRawUnitWeights(architecture: Architecture) throws {
    let x = SyntheticCodes(bits: 6, width: 12, rows: 200, noise: 0.01, seed: 6).samples
    let big = Matrix(rows: x.rows, columns: x.columns, values: x.values.map { $0 * 1024 })
    var o = TrainingOptions()
    o.epochs = 4
    o.batchSize = 50
    o.entropyWeight = 1e-3
    o.entropyStartEpoch = 1
    o.covarianceWeight = 1e-4
    o.l1Weight = 1e-3
    o.normalizeInputs = true
    let configuration = AutoencoderConfiguration(architecture: architecture, inputWidth: 12, codeWidth: 48)
    let small = try Trainer(configuration: configuration, options: o, inputs: x, output: nil, context: .serial)
    let large = try Trainer(configuration: configuration, options: o, inputs: big, output: nil, context: .serial)
    #expect(large.inputScale * 1024 == small.inputScale)
    // The factor gives the training rows (the first 80%) a mean squared norm of d.
    let trainRows = scaled(x.rows(0..<160), by: small.inputScale)
    #expect(abs(trainRows.values.reduce(0.0) { $0 + Double($1) * Double($1) } / 160 - 12) < 1e-3)

    let a = try small.run()
    let b = try large.run()
    // Trained on the same scaled rows: the same weights in training units, the same codes.
    #expect(small.autoencoder == large.autoencoder)
    #expect(a.encode(x, context: .serial) == b.encode(big, context: .serial))
    // The returned weights take raw rows and give raw reconstructions: 1024 times larger for the
    // 1024 times larger data, and the training-unit reconstruction divided by the factor.
    let ra = a.reconstruct(x, context: .serial).values
    let rb = b.reconstruct(big, context: .serial).values
    #expect(maxAbsDiff(ra.map { $0 * 1024 }, rb) <= 1e-3)
    let inTrainingUnits = small.autoencoder.reconstruct(scaled(x, by: small.inputScale), context: .serial).values
    #expect(maxAbsDiff(ra, inTrainingUnits.map { $0 / small.inputScale }) <= 1e-5)
    #expect(maxAbsDiff(ra, x.values) < maxAbsDiff(Array(repeating: 0, count: x.count), x.values))
  }

  /// A run with every aid, stopped and resumed from its checkpoint, ends with the weights (folded
  /// back to raw units) and the files of an uninterrupted one.
  @Test func resumedRunWithTheAidsEqualsUninterrupted() throws {
    let x = SyntheticCodes(bits: 6, width: 12, rows: 300, noise: 0.01, seed: 7).samples
    var o = TrainingOptions()
    o.epochs = 6
    o.batchSize = 64
    o.checkpointEvery = 2
    o.entropyWeight = 1e-3
    o.entropyStartEpoch = 1
    o.entropyWarmupEpochs = 3
    o.covarianceWeight = 1e-4
    o.covarianceWarmupEpochs = 4
    o.learningRateDecayEpochs = 3
    o.finalLearningRateFraction = 0.1
    o.normalizeInputs = true
    let configuration = AutoencoderConfiguration(architecture: .bae, inputWidth: 12, codeWidth: 48, estimator: .sigmoid)
    let whole = try ScratchDirectory("whole").url
    let full = try Trainer(configuration: configuration, options: o, inputs: x, output: whole, context: .serial).run()
    let parts = try ScratchDirectory("parts").url
    let first = try Trainer(configuration: configuration, options: o, inputs: x, output: parts, context: .serial)
    first.stopAfterEpochs = 3
    _ = try first.run()
    let resumed = try Trainer(
      configuration: configuration, options: o, inputs: x, output: parts, resume: true, context: .serial
    ).run()
    #expect(resumed == full)
    let (loaded, training) = try AutoencoderFiles.load(from: parts)
    #expect(loaded == full)
    #expect(training == o)
  }

  @Test func optionsRoundTripAndOldFilesLoad() throws {
    var o = TrainingOptions()
    o.entropyWarmupEpochs = 20
    o.covarianceWarmupEpochs = 40
    o.learningRateDecayEpochs = 30
    o.finalLearningRateFraction = 0.05
    o.normalizeInputs = true
    let json = try JSONEncoder().encode(o)
    #expect(try JSONDecoder().decode(TrainingOptions.self, from: json) == o)
    // A config.json written before these options existed decodes to the reference behaviour.
    let old = #"{"learningRate": 0.0005, "epochs": 2000, "entropyWeight": 1e-7}"#
    let decoded = try JSONDecoder().decode(TrainingOptions.self, from: Data(old.utf8))
    #expect(decoded.entropyWarmupEpochs == 0 && decoded.covarianceWarmupEpochs == 0)
    #expect(decoded.learningRateDecayEpochs == 0 && !decoded.normalizeInputs)
  }

  @Test func badScheduleValuesAreRefused() throws {
    func refused(_ change: (inout TrainingOptions) -> Void, naming key: String) {
      var o = TrainingOptions()
      change(&o)
      #expect { try o.validate() } throws: { "\($0)".contains(key) }
    }
    refused({ $0.entropyWarmupEpochs = -1 }, naming: "entropyWarmupEpochs")
    refused({ $0.covarianceWarmupEpochs = -1 }, naming: "covarianceWarmupEpochs")
    refused({ $0.learningRateDecayEpochs = $0.epochs + 1 }, naming: "learningRateDecayEpochs")
    refused({ $0.finalLearningRateFraction = 1.5 }, naming: "finalLearningRateFraction")
    var o = TrainingOptions()
    o.normalizeInputs = true
    let configuration = AutoencoderConfiguration(architecture: .bae, inputWidth: 8, codeWidth: 16, outputActivation: .tanh)
    let rows = Matrix(rows: 10, columns: 8, repeating: 1)
    #expect {
      _ = try Trainer(configuration: configuration, options: o, inputs: rows, output: nil, context: .serial)
    } throws: { "\($0)".contains("normalizeInputs") }
    // Without normalisation the same configuration trains (the fold is not needed).
    o.normalizeInputs = false
    o.epochs = 1
    o.batchSize = 5
    _ = try Trainer(configuration: configuration, options: o, inputs: rows, output: nil, context: .serial).run()
  }
}
