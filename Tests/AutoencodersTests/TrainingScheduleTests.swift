import Foundation
import TensorCore
import TestSupport
import Testing

@testable import Autoencoders

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
    let json = try JSONEncoder().encode(o)
    #expect(try JSONDecoder().decode(TrainingOptions.self, from: json) == o)
    // A config.json written before these options existed decodes to the reference behaviour.
    let old = #"{"learningRate": 0.0005, "epochs": 2000, "entropyWeight": 1e-7}"#
    let decoded = try JSONDecoder().decode(TrainingOptions.self, from: Data(old.utf8))
    #expect(decoded.entropyWarmupEpochs == 0 && decoded.covarianceWarmupEpochs == 0)
    #expect(decoded.learningRateDecayEpochs == 0)
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
  }
}
