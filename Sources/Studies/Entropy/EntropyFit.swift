import Autoencoders
import Foundation
import TensorCore

/// How a BAE is fitted to one set of hidden states to estimate the set's entropy: the settings of
/// `bae entropy --synthetic`, `bae icl` and `bae positions`, recorded with their results.
///
/// The defaults are the setting that recovers `r` independent bits within 5% for `r` = 8, 16 and
/// 32 (the known-answer test, `Tests/AutoencodersTests/KnownEntropyTests.swift`, documents why
/// each value): the paper's sigmoid estimator, inputs scaled to mean norm √d, entropy weight 3e-3
/// ramped in over the first 37.5% of the run, covariance weight 1e-3 ramped in over the first
/// 62.5%, learning rate 1e-2 decaying linearly to 0 over the last 25%. The schedule is set in
/// optimiser steps, not epochs, so that a set of 64 states (one step per epoch) is trained as long
/// as a set of thousands. The entropy is measured on every row of the set (no validation split),
/// as the reference's `entropy_eval`.
public struct EntropyFitSettings: Codable, Sendable, Equatable {
  /// Code width as a multiple of the input width.
  public var expand = 4
  public var estimator: BinarizationEstimator = .sigmoid
  public var normalization: InputNormalization.Kind = .centered
  /// Optimiser steps (rounded up to whole epochs).
  public var steps = 2560
  /// Rows per step (the whole set when it is smaller).
  public var batchSize = 256
  public var learningRate = 1e-2
  public var entropyWeight = 3e-3
  public var covarianceWeight = 1e-3
  /// Fractions of the run over which the entropy and covariance weights ramp up from 0.
  public var entropyWarmup = 0.375
  public var covarianceWarmup = 0.625
  /// Fraction of the run, at its end, over which the learning rate falls to 0.
  public var learningRateDecay = 0.25

  public init() {}

  /// The settings `bae icl` and `bae positions` start from: sets of tens to hundreds of states
  /// (64 per k by default). The large-set recipe keeps many codes alive on them whose pairs share
  /// most of their information (pairwise mutual information far above the estimate), so the
  /// estimate measures code redundancy rather than the set. Ten times the entropy weight, a
  /// covariance weight of 1e-2 and 800 steps leave a few nearly independent codes: on 64
  /// SST-2 last-token states of layer 15 (SmolLM2-135M), 4.2 bits at k = 0 and 2.7 at k = 8 with
  /// pairwise mutual information 0.2–0.3 bits. An estimate from so few states is capped near
  /// log₂ N and depends on these weights (the paper's does too): compare values within one
  /// study, at fixed settings.
  public static var smallSets: EntropyFitSettings {
    var s = EntropyFitSettings()
    s.steps = 800
    s.entropyWeight = 3e-2
    s.covarianceWeight = 1e-2
    return s
  }

  enum CodingKeys: String, CodingKey {
    case expand, estimator, normalization, steps, batchSize = "batch_size", learningRate = "learning_rate"
    case entropyWeight = "entropy_weight", covarianceWeight = "covariance_weight"
    case entropyWarmup = "entropy_warmup", covarianceWarmup = "covariance_warmup"
    case learningRateDecay = "learning_rate_decay"
  }

  /// Checks the values.
  ///
  /// - Throws: ``AutoencoderError/invalidConfiguration(key:reason:)`` naming the setting.
  public func validate() throws(AutoencoderError) {
    func require(_ ok: Bool, _ key: String, _ reason: String) throws(AutoencoderError) {
      if !ok { throw .invalidConfiguration(key: key, reason: reason) }
    }
    try require(expand >= 1, "expand", "must be at least 1")
    try require(steps >= 1, "steps", "must be at least 1")
    try require(batchSize >= 2, "batch_size", "must be at least 2")
    try require(learningRate > 0 && learningRate.isFinite, "learning_rate", "must be positive")
    try require(entropyWeight >= 0 && covarianceWeight >= 0, "weights", "must not be negative")
    for (key, value) in [
      ("entropy_warmup", entropyWarmup), ("covariance_warmup", covarianceWarmup),
      ("learning_rate_decay", learningRateDecay),
    ] {
      try require((0...1).contains(value), key, "must be a fraction in [0, 1]")
    }
  }

  /// The training options for a set of `rows` rows with `seed`.
  public func trainingOptions(rows: Int, seed: UInt64) -> TrainingOptions {
    let batch = max(2, min(batchSize, rows))
    let stepsPerEpoch = (rows + batch - 1) / batch
    let epochs = max(1, (steps + stepsPerEpoch - 1) / stepsPerEpoch)
    func part(_ fraction: Double) -> Int { Int((Double(epochs) * fraction).rounded()) }
    var o = TrainingOptions()
    o.learningRate = learningRate
    o.batchSize = batch
    o.epochs = epochs
    o.learningRateDecayEpochs = min(epochs, part(learningRateDecay))
    o.finalLearningRateFraction = 0
    o.entropyWeight = entropyWeight
    o.entropyStartEpoch = 0
    o.entropyWarmupEpochs = part(entropyWarmup)
    o.covarianceWeight = covarianceWeight
    o.covarianceWarmupEpochs = part(covarianceWarmup)
    o.trainFraction = 1
    o.checkpointEvery = epochs
    o.seed = seed
    return o
  }
}

/// One fitted estimate.
public struct EntropyFit: Sendable {
  /// The estimate on the rows the BAE was fitted to.
  public var estimate: EntropyEstimate
  /// Fraction of variance the BAE leaves unexplained on those rows.
  public var fractionOfVarianceUnexplained: Double
  /// Seed of the BAE's initial weights and batch order.
  public var seed: UInt64
  /// The fitted BAE (`nil` once a batch of fits dropped it to save memory).
  public var autoencoder: Autoencoder?

  /// Fits a BAE with `settings` and `seed` to `rows` (`[N, d]`, N ≥ 2) and estimates their entropy.
  ///
  /// - Throws: ``AutoencoderError`` (too few rows, non-finite values, invalid settings).
  public init(
    rows: Matrix, settings: EntropyFitSettings, seed: UInt64, inputHook: String? = nil, context: ComputeContext
  ) throws(AutoencoderError) {
    try settings.validate()
    guard rows.rows >= 2 else { throw .emptyDataset("\(rows.rows) row; an entropy estimate needs at least 2") }
    let normalization = InputNormalization.fit(settings.normalization, to: rows)
    let configuration = AutoencoderConfiguration(
      architecture: .bae, inputWidth: rows.columns, codeWidth: rows.columns * settings.expand,
      estimator: settings.estimator, inputHook: inputHook, normalization: normalization)
    let trainer = try Trainer(
      configuration: configuration, options: settings.trainingOptions(rows: rows.rows, seed: seed),
      inputs: normalization.apply(rows), output: nil, context: context)
    let autoencoder = try trainer.run()
    self.init(autoencoder: autoencoder, rows: rows, seed: seed, context: context)
  }

  /// The estimate of a given BAE on `rows`.
  public init(autoencoder: Autoencoder, rows: Matrix, seed: UInt64 = 0, context: ComputeContext) {
    let codes = autoencoder.encode(rows, context: context)
    var statistics = CodeSetStatistics(codeWidth: autoencoder.configuration.codeWidth)
    statistics.add(codes, workers: context.threads)
    estimate = statistics.estimate
    var reconstruction = ReconstructionAccumulator(
      inputWidth: rows.columns, codeWidth: autoencoder.configuration.codeWidth)
    reconstruction.add(
      targets: rows, reconstructions: autoencoder.reconstruction(fromCodes: codes, context: context), codes: codes)
    fractionOfVarianceUnexplained =
      reconstruction.statistics(activity: CodeActivity(binary: true)).fractionOfVarianceUnexplained ?? 0
    self.seed = seed
    self.autoencoder = autoencoder
  }
}

/// Estimates from several seeds on one set: the value reported and its spread.
public struct EntropySpread: Codable, Sendable, Equatable {
  /// Mean of the seeds' estimates, in bits.
  public var meanBits: Double
  /// Sample standard deviation over seeds (0 for one seed).
  public var stdBits: Double
  /// Each seed's estimate, in seed order.
  public var bits: [Double]
  /// Mean over seeds of the largest |correlation| between two active codes.
  public var maxAbsCorrelation: Double
  /// Mean over seeds of the pairwise mutual information, in bits.
  public var pairwiseMutualInformationBits: Double
  /// Mean over seeds of the fraction of variance unexplained.
  public var fractionOfVarianceUnexplained: Double
  /// Mean over seeds of the estimate without exact code copies (see
  /// ``EntropyEstimate/distinctEntropyBits``).
  public var distinctBits: Double

  enum CodingKeys: String, CodingKey {
    case meanBits = "mean_bits", stdBits = "std_bits", bits, maxAbsCorrelation = "max_abs_correlation"
    case pairwiseMutualInformationBits = "pairwise_mutual_information_bits"
    case fractionOfVarianceUnexplained = "fvu", distinctBits = "distinct_bits"
  }

  public init(_ fits: [EntropyFit]) {
    precondition(!fits.isEmpty, "a spread needs at least one fit")
    bits = fits.map(\.estimate.entropyBits)
    let n = Double(bits.count)
    let mean = bits.reduce(0, +) / n
    meanBits = mean
    stdBits = bits.count < 2 ? 0 : (bits.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
    maxAbsCorrelation = fits.reduce(0) { $0 + $1.estimate.maxAbsCorrelation } / n
    pairwiseMutualInformationBits = fits.reduce(0) { $0 + $1.estimate.pairwiseMutualInformationBits } / n
    fractionOfVarianceUnexplained = fits.reduce(0) { $0 + $1.fractionOfVarianceUnexplained } / n
    distinctBits = fits.reduce(0) { $0 + $1.estimate.distinctEntropyBits } / n
  }
}
