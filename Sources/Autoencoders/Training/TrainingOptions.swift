import Foundation

/// How the training set is cut into training and validation rows.
public enum SplitMode: String, Sendable, Hashable, Codable, CaseIterable {
  /// The first `trainFraction` of the rows in stored order train, the rest validate (the reference).
  case first
  /// A seeded random `trainFraction` of the rows train.
  case random
}

/// Optimisation settings of one training run; recorded in `config.json` under `training`.
///
/// Defaults are the reference code's (`shared/reference/bae-method.md` §4) except `epochs`
/// (the reference script's 3500 is impractical on a CPU; its documented BAE run uses 2000).
/// Unknown keys are refused.
public struct TrainingOptions: Codable, Sendable, Equatable {
  /// Adam step size.
  public var learningRate: Double = 1e-3
  /// The last epochs, over which the step size falls linearly to
  /// `learningRate · finalLearningRateFraction` at the last step (see
  /// ``learningRate(step:stepsPerEpoch:)``); 0 (the reference) keeps it constant. A decay lets
  /// codes settle that the full rate keeps flipping.
  public var learningRateDecayEpochs: Int = 0
  /// The step size at the last step as a fraction of `learningRate`, when it decays.
  public var finalLearningRateFraction: Double = 0
  public var beta1: Double = 0.9
  public var beta2: Double = 0.999
  public var epsilon: Double = 1e-8
  /// torch's `weight_decay` (added to the gradient).
  public var weightDecay: Double = 0
  /// Rows per step.
  public var batchSize: Int = 512
  /// Passes over the training rows.
  public var epochs: Int = 100
  /// BAE entropy weight `w_e`, threshold, and the first epoch it applies (0-based).
  public var entropyWeight: Double = 0
  public var entropyThreshold: Double = 0
  public var entropyStartEpoch: Int = 500
  /// Epochs over which the entropy weight ramps up linearly from its start epoch: epoch
  /// `entropyStartEpoch + k` uses `entropyWeight · min(1, (k + 1) / entropyWarmupEpochs)`.
  /// 0 (the reference) switches the full weight on at once. A ramp lets codes that carry
  /// information settle before the penalty can kill them.
  public var entropyWarmupEpochs: Int = 0
  /// BAE covariance weight `w_c` (active from the first epoch, as the reference).
  public var covarianceWeight: Double = 0
  /// Epochs over which the covariance weight ramps up linearly from the first epoch: epoch `e`
  /// uses `covarianceWeight · min(1, (e + 1) / covarianceWarmupEpochs)`. 0 (the reference) uses
  /// the full weight from the start. The penalty's batch-sampling noise slows down codes while
  /// they learn; its full weight is needed later, to remove codes that duplicate others.
  public var covarianceWarmupEpochs: Int = 0
  /// ReLU / transcoder L1 weight and its first epoch.
  public var l1Weight: Double = 0
  public var l1StartEpoch: Int = 0
  /// Fraction of rows used for training; the rest validate.
  public var trainFraction: Double = 0.8
  public var split: SplitMode = .first
  /// Keep every decoder direction (row of `W_dec`) at unit norm: normalised at the start and after
  /// every step, with the gradient's component along each direction removed first (SAELens).
  public var unitNormDecoder: Bool = false
  /// How `b_dec` starts (the reference: `random`, as `nn.Linear`).
  public var decoderBiasInit: DecoderBiasInitialization = .random
  /// Every this many epochs (0: never, the reference), codes that are never active on the first
  /// 8,192 training rows (BAE: the same bit on all of them) are re-initialised from rows the
  /// autoencoder reconstructs worst (``Trainer`` documents the rule).
  public var resampleDeadEvery: Int = 0
  /// Seed of the initial weights, the split and the batch order.
  public var seed: UInt64 = 0
  /// Write a checkpoint every this many epochs (and after the last).
  public var checkpointEvery: Int = 10

  public init() {}

  /// The Adam settings.
  public var adam: AdamHyperparameters {
    AdamHyperparameters(
      learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
  }

  /// The Adam step size of step `step` (0-based, counted over the whole run) when an epoch has
  /// `stepsPerEpoch` steps: `learningRate`, falling linearly over the last
  /// ``learningRateDecayEpochs`` epochs to `learningRate · finalLearningRateFraction` at the
  /// run's last step. `learningRate` at every step by default.
  public func learningRate(step: Int, stepsPerEpoch: Int) -> Double {
    let decaySteps = learningRateDecayEpochs * stepsPerEpoch
    let decayStart = epochs * stepsPerEpoch - decaySteps
    guard decaySteps > 0, step >= decayStart else { return learningRate }
    let t = min(1, Double(step - decayStart + 1) / Double(decaySteps))
    return learningRate * (1 - t * (1 - finalLearningRateFraction))
  }

  /// The entropy weight of `epoch` (0-based): 0 before ``entropyStartEpoch``, then ramped over
  /// ``entropyWarmupEpochs`` to ``entropyWeight``.
  public func entropyWeight(epoch: Int) -> Double {
    guard epoch >= entropyStartEpoch else { return 0 }
    guard entropyWarmupEpochs > 0 else { return entropyWeight }
    return entropyWeight * min(1, Double(epoch - entropyStartEpoch + 1) / Double(entropyWarmupEpochs))
  }

  /// The covariance weight of `epoch` (0-based): ramped over ``covarianceWarmupEpochs`` to
  /// ``covarianceWeight``.
  public func covarianceWeight(epoch: Int) -> Double {
    guard covarianceWarmupEpochs > 0 else { return covarianceWeight }
    return covarianceWeight * min(1, Double(epoch + 1) / Double(covarianceWarmupEpochs))
  }

  /// Regulariser weights active in `epoch` (0-based) for `architecture`.
  public func regularizers(epoch: Int, architecture: Architecture) -> RegularizerWeights {
    var w = RegularizerWeights()
    if architecture.isBinary {
      w.entropy = Float(entropyWeight(epoch: epoch))
      w.entropyThreshold = entropyThreshold
      w.covariance = Float(covarianceWeight(epoch: epoch))
    } else if architecture == .relu || architecture == .transcoder {
      w.l1 = epoch >= l1StartEpoch ? Float(l1Weight) : 0
    }
    return w
  }

  /// Checks the values.
  ///
  /// - Throws: ``AutoencoderError/invalidConfiguration(key:reason:)`` naming the key.
  public func validate() throws(AutoencoderError) {
    func require(_ ok: Bool, _ key: String, _ reason: String) throws(AutoencoderError) {
      if !ok { throw .invalidConfiguration(key: key, reason: reason) }
    }
    try require(learningRate > 0 && learningRate.isFinite, "learningRate", "must be positive")
    try require((0..<1).contains(beta1) && (0..<1).contains(beta2), "beta1/beta2", "must be in [0, 1)")
    try require(epsilon > 0, "epsilon", "must be positive")
    try require(weightDecay >= 0, "weightDecay", "must not be negative")
    try require(batchSize >= 2, "batchSize", "must be at least 2 (the covariance needs two rows), got \(batchSize)")
    try require(epochs >= 1, "epochs", "must be at least 1")
    try require(
      entropyWeight >= 0 && covarianceWeight >= 0 && l1Weight >= 0, "weights", "loss weights must not be negative")
    try require(entropyStartEpoch >= 0 && l1StartEpoch >= 0, "startEpoch", "must not be negative")
    try require(entropyWarmupEpochs >= 0, "entropyWarmupEpochs", "must not be negative")
    try require(covarianceWarmupEpochs >= 0, "covarianceWarmupEpochs", "must not be negative")
    try require(
      (0...epochs).contains(learningRateDecayEpochs), "learningRateDecayEpochs", "must be in 0...epochs (\(epochs))")
    try require((0...1).contains(finalLearningRateFraction), "finalLearningRateFraction", "must be in [0, 1]")
    try require(trainFraction > 0 && trainFraction <= 1, "trainFraction", "must be in (0, 1]")
    try require(checkpointEvery >= 1, "checkpointEvery", "must be at least 1")
    try require(resampleDeadEvery >= 0, "resampleDeadEvery", "must not be negative")
  }

  enum CodingKeys: String, CodingKey, CaseIterable {
    case learningRate, beta1, beta2, epsilon, weightDecay, batchSize, epochs, entropyWeight, entropyThreshold
    case entropyStartEpoch, entropyWarmupEpochs, covarianceWeight, covarianceWarmupEpochs, l1Weight, l1StartEpoch
    case trainFraction, split, learningRateDecayEpochs, finalLearningRateFraction, seed, checkpointEvery
    case unitNormDecoder, decoderBiasInit, resampleDeadEvery
  }

  public init(from decoder: any Decoder) throws {
    try rejectUnknownKeys(decoder, known: CodingKeys.allCases.map(\.rawValue), in: "the training options")
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let d = TrainingOptions()
    learningRate = try c.decodeIfPresent(Double.self, forKey: .learningRate) ?? d.learningRate
    beta1 = try c.decodeIfPresent(Double.self, forKey: .beta1) ?? d.beta1
    beta2 = try c.decodeIfPresent(Double.self, forKey: .beta2) ?? d.beta2
    epsilon = try c.decodeIfPresent(Double.self, forKey: .epsilon) ?? d.epsilon
    weightDecay = try c.decodeIfPresent(Double.self, forKey: .weightDecay) ?? d.weightDecay
    batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? d.batchSize
    epochs = try c.decodeIfPresent(Int.self, forKey: .epochs) ?? d.epochs
    entropyWeight = try c.decodeIfPresent(Double.self, forKey: .entropyWeight) ?? d.entropyWeight
    entropyThreshold = try c.decodeIfPresent(Double.self, forKey: .entropyThreshold) ?? d.entropyThreshold
    entropyStartEpoch = try c.decodeIfPresent(Int.self, forKey: .entropyStartEpoch) ?? d.entropyStartEpoch
    entropyWarmupEpochs = try c.decodeIfPresent(Int.self, forKey: .entropyWarmupEpochs) ?? d.entropyWarmupEpochs
    covarianceWeight = try c.decodeIfPresent(Double.self, forKey: .covarianceWeight) ?? d.covarianceWeight
    covarianceWarmupEpochs =
      try c.decodeIfPresent(Int.self, forKey: .covarianceWarmupEpochs) ?? d.covarianceWarmupEpochs
    l1Weight = try c.decodeIfPresent(Double.self, forKey: .l1Weight) ?? d.l1Weight
    l1StartEpoch = try c.decodeIfPresent(Int.self, forKey: .l1StartEpoch) ?? d.l1StartEpoch
    trainFraction = try c.decodeIfPresent(Double.self, forKey: .trainFraction) ?? d.trainFraction
    split = try c.decodeIfPresent(SplitMode.self, forKey: .split) ?? d.split
    learningRateDecayEpochs =
      try c.decodeIfPresent(Int.self, forKey: .learningRateDecayEpochs) ?? d.learningRateDecayEpochs
    finalLearningRateFraction =
      try c.decodeIfPresent(Double.self, forKey: .finalLearningRateFraction) ?? d.finalLearningRateFraction
    seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed
    checkpointEvery = try c.decodeIfPresent(Int.self, forKey: .checkpointEvery) ?? d.checkpointEvery
    unitNormDecoder = try c.decodeIfPresent(Bool.self, forKey: .unitNormDecoder) ?? d.unitNormDecoder
    decoderBiasInit =
      try c.decodeIfPresent(DecoderBiasInitialization.self, forKey: .decoderBiasInit) ?? d.decoderBiasInit
    resampleDeadEvery = try c.decodeIfPresent(Int.self, forKey: .resampleDeadEvery) ?? d.resampleDeadEvery
  }
}
