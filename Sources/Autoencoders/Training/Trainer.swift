import Checkpoints
import Foundation
import RunControl
import TensorCore

/// Progress of a training run, reported after every step.
public struct TrainingProgress: Sendable {
  public var epoch: Int
  public var epochs: Int
  /// Steps done in this epoch and per epoch.
  public var stepInEpoch: Int
  public var stepsPerEpoch: Int
  /// The loss of the last step.
  public var loss: LossTerms
  /// Seconds since this run started.
  public var seconds: Double
  /// Rows processed per second in this run.
  public var rowsPerSecond: Double
}

/// Trains one autoencoder on rows held in memory, with Adam on shuffled minibatches, and writes
/// `config.json`, `weights.safetensors`, `metrics.jsonl`, `curves.svg` and a resumable checkpoint into its
/// output directory.
///
/// Deterministic for a seed and compute context: the initial weights come from the seed, and the
/// batch order of epoch `e` from the seed's stream `e`, so a run resumed from a checkpoint makes
/// exactly the steps of an uninterrupted one.
public final class Trainer {
  public let options: TrainingOptions
  public let context: ComputeContext
  public private(set) var autoencoder: Autoencoder
  let data: TrainingData
  let output: URL?
  var optimizer: AdamOptimizer
  /// Epochs finished.
  public private(set) var epochsDone = 0
  /// The metrics of every finished epoch, for `curves.svg` (only kept with an output directory).
  var history: [EpochMetrics] = []
  /// For tests: stop (as if killed) after this many epochs of this run.
  public var stopAfterEpochs: Int?
  /// Codes re-initialised by dead-code resampling in the last ``run(progress:)``.
  public private(set) var resampledThisRun = 0
  /// Training rows processed by optimiser steps in the last ``run(progress:)`` (for throughput).
  public private(set) var trainedRowsThisRun = 0
  /// Provenance of the rows, written into `config.json` with the trained autoencoder.
  public var dataRecord: AutoencoderFiles.DataRecord?

  /// Prepares a run (or continues the one checkpointed in `output` when `resume`).
  ///
  /// - Parameters:
  ///   - configuration: the autoencoder to train.
  ///   - inputs: `[N, d]` rows.
  ///   - targets: `[N, d]` reconstruction targets (a transcoder's), or `nil` for the inputs.
  ///   - output: directory for the files, or `nil` to keep everything in memory.
  /// - Throws: ``AutoencoderError``.
  public convenience init(
    configuration: AutoencoderConfiguration, options: TrainingOptions, inputs: Matrix, targets: Matrix? = nil,
    output: URL?, resume: Bool = false, context: ComputeContext
  ) throws(AutoencoderError) {
    try configuration.validate()
    try options.validate()
    guard inputs.columns == configuration.inputWidth else {
      throw .widthMismatch(expected: configuration.inputWidth, found: inputs.columns, what: "the training data")
    }
    if let targets {
      guard targets.columns == configuration.inputWidth else {
        throw .widthMismatch(expected: configuration.inputWidth, found: targets.columns, what: "the targets")
      }
      guard targets.rows == inputs.rows else {
        throw .invalidConfiguration(key: "targets", reason: "\(targets.rows) target rows for \(inputs.rows) input rows")
      }
    }
    for (matrix, what) in [(inputs, "the training data"), (targets ?? inputs, "the targets")] {
      if let bad = firstNonFiniteRow(matrix) { throw .nonFiniteData(row: bad, what: what) }
    }
    let n = inputs.rows
    let trainCount = Int((Double(n) * options.trainFraction).rounded(.down))
    guard trainCount >= 1 else { throw .emptyDataset("\(n) rows, \(trainCount) for training") }
    var order = Array(0..<n)
    if options.split == .random {
      var random = SeededRandom(seed: options.seed, stream: 0x5EED_5B11)
      random.shuffle(&order)
    }
    let data = TrainingData.memory(
      inputs: inputs, targets: targets ?? inputs, train: Array(order[..<trainCount]),
      validation: Array(order[trainCount...]))
    try self.init(
      configuration: configuration, options: options, data: data, output: output, resume: resume, context: context)
  }

  /// Prepares a run on rows streamed from a feature set at every epoch (data larger than
  /// memory; see ``StreamingRows``), or continues the one checkpointed in `output`.
  ///
  /// - Throws: ``AutoencoderError``.
  public convenience init(
    configuration: AutoencoderConfiguration, options: TrainingOptions, stream: StreamingRows, output: URL?,
    resume: Bool = false, context: ComputeContext
  ) throws(AutoencoderError) {
    try configuration.validate()
    try options.validate()
    guard options.split == .first else {
      throw .invalidConfiguration(
        key: "split",
        reason: "streamed training splits by file order (first); load the rows in memory for a random split")
    }
    let width = try stream.inputWidth()
    guard width == configuration.inputWidth else {
      throw .widthMismatch(
        expected: configuration.inputWidth, found: width, what: "hook \(stream.input.name) of the feature set")
    }
    let (train, validation) = stream.split(trainFraction: options.trainFraction)
    guard !train.isEmpty else { throw .emptyDataset("\(stream.rowCount) rows, none for training") }
    try self.init(
      configuration: configuration, options: options, data: .stream(stream, train: train, validation: validation),
      output: output, resume: resume, context: context)
  }

  private init(
    configuration: AutoencoderConfiguration, options: TrainingOptions, data: TrainingData, output: URL?, resume: Bool,
    context: ComputeContext
  ) throws(AutoencoderError) {
    self.data = data
    self.options = options
    self.context = context
    self.output = output

    if resume, let output {
      let checkpoint = try TrainingCheckpoint.load(from: output, configuration: configuration)
      guard checkpoint.options == options else {
        throw .invalidConfiguration(
          key: "training",
          reason: "the options differ from the checkpointed run's in \(output.path); use the same options to resume")
      }
      autoencoder = checkpoint.autoencoder
      optimizer = checkpoint.optimizer
      epochsDone = checkpoint.epochsDone
      try TrainingCheckpoint.truncateMetrics(in: output, toBytes: checkpoint.metricsBytes)
      history = try EpochMetrics.read(from: output)
    } else {
      autoencoder = try Autoencoder(configuration: configuration, seed: options.seed)
      if options.decoderBiasInit != .random, configuration.decoderBias,
        let sample = try data.trainingSample(count: 8192),
        let bias = Self.decoderBias(options.decoderBiasInit, rows: sample.1)
      {
        autoencoder.weights.decoderBias = bias
      }
      if options.unitNormDecoder { Self.normalizeDecoder(&autoencoder.weights) }
      optimizer = AdamOptimizer(hyperparameters: options.adam, weights: autoencoder.weights)
      if let output { try TrainingCheckpoint.prepare(output) }
    }
  }

  /// Tensors Adam updates.
  var trainable: [String] {
    var names = ["W_enc", "b_enc", "W_dec"]
    if autoencoder.configuration.decoderBias { names.append("b_dec") }
    if autoencoder.configuration.learnThreshold { names.append("threshold") }
    return names
  }

  /// Runs the remaining epochs.
  ///
  /// - Parameters:
  ///   - cancellation: checked before every step; once set, the epoch in progress is discarded
  ///     and ``AutoencoderError/cancelled(reason:epochsDone:epochs:checkpoint:)`` is thrown. The
  ///     last checkpoint is untouched, so resuming gives the weights of an uninterrupted run.
  ///   - progress: called after every step.
  /// - Returns: the trained autoencoder.
  /// - Throws: ``AutoencoderError/nonFiniteLoss(epoch:step:lastGoodCheckpoint:)`` (the last
  ///   checkpoint is kept), ``AutoencoderError/cancelled(reason:epochsDone:epochs:checkpoint:)``,
  ///   write errors.
  @discardableResult
  public func run(
    cancellation: Cancellation? = nil, progress: (TrainingProgress) -> Void = { _ in }
  ) throws(AutoencoderError) -> Autoencoder {
    let start = Date()
    let step = TrainingStep(configuration: autoencoder.configuration)
    var gradients = autoencoder.weights.zeros()
    let batch = options.batchSize
    let stepsPerEpoch = (data.trainCount + batch - 1) / batch
    var rowsThisRun = 0
    var epochsThisRun = 0
    var lastCheckpoint = output.map { TrainingCheckpoint.url(in: $0) }
    while epochsDone < options.epochs {
      let epoch = epochsDone
      let regularizers = options.regularizers(epoch: epoch, architecture: autoencoder.configuration.architecture)
      var trainTerms: [LossTerms] = []
      var trainStatistics = CodeStatistics()
      var stepInEpoch = 0
      try data.forEachTrainingBatch(epoch: epoch, seed: options.seed, batchSize: batch) {
        x, y throws(AutoencoderError) in
        if let reason = cancellation?.reason {
          throw .cancelled(
            reason: reason, epochsDone: epochsDone, epochs: options.epochs,
            checkpoint: lastCheckpoint.flatMap { FileManager.default.fileExists(atPath: $0.path) ? $0 : nil })
        }
        guard x.rows >= 2 else { return }  // a one-row tail has no covariance
        let terms = step.forward(
          weights: autoencoder.weights, input: x, target: y, regularizers: regularizers, training: true,
          context: context)
        // Epoch statistics come from the validation rows; training rows only when there are none.
        if !data.hasValidation { trainStatistics.merge(step.statistics(target: y)) }
        guard terms.total.isFinite else {
          throw .nonFiniteLoss(
            epoch: epoch, step: optimizer.step + 1,
            lastGoodCheckpoint: lastCheckpoint.flatMap {
              FileManager.default.fileExists(atPath: $0.path) ? $0 : nil
            })
        }
        step.backward(weights: autoencoder.weights, input: x, target: y, into: &gradients, context: context)
        if options.unitNormDecoder { Self.projectDecoderGradient(&gradients, weights: autoencoder.weights) }
        optimizer.hyperparameters.learningRate = options.learningRate(
          step: optimizer.step, stepsPerEpoch: stepsPerEpoch)
        optimizer.update(&autoencoder.weights, gradients: gradients, trainable: trainable, workers: context.threads)
        if options.unitNormDecoder { Self.normalizeDecoder(&autoencoder.weights) }
        trainTerms.append(terms)
        rowsThisRun += x.rows
        trainedRowsThisRun = rowsThisRun
        stepInEpoch += 1
        let seconds = Date().timeIntervalSince(start)
        progress(
          TrainingProgress(
            epoch: epoch, epochs: options.epochs, stepInEpoch: stepInEpoch, stepsPerEpoch: stepsPerEpoch, loss: terms,
            seconds: seconds, rowsPerSecond: Double(rowsThisRun) / max(seconds, 1e-9)))
      }
      if options.resampleDeadEvery > 0, (epoch + 1) % options.resampleDeadEvery == 0, epoch + 1 < options.epochs {
        resampledThisRun += try resampleDeadCodes(step: step, epoch: epoch)
      }
      let (validation, validationStatistics) = try evaluate(step: step, regularizers: regularizers)
      let statistics = validationStatistics.rows > 0 ? validationStatistics : trainStatistics
      let metrics = EpochMetrics(
        epoch: epoch, step: optimizer.step, train: LossTerms.mean(trainTerms) ?? LossTerms(mse: .nan, total: .nan),
        validation: validation, fractionOfVarianceUnexplained: statistics.fractionOfVarianceUnexplained,
        l0: statistics.l0,
        dead: activity.deadCodes(active: statistics.active, rows: statistics.rows).count,
        dense: activity.denseCodes(active: statistics.active, rows: statistics.rows).count,
        seconds: Date().timeIntervalSince(start))
      epochsDone += 1
      epochsThisRun += 1
      if let output {
        try TrainingCheckpoint.appendMetrics(metrics, in: output)
        history.append(metrics)
        if epochsDone % options.checkpointEvery == 0 || epochsDone == options.epochs {
          try TrainingCheckpoint(
            autoencoder: autoencoder, options: options, optimizer: optimizer, epochsDone: epochsDone, metricsBytes: 0
          ).write(to: output)
          lastCheckpoint = TrainingCheckpoint.url(in: output)
          try TrainingCurves.write(history, configuration: autoencoder.configuration, in: output)
        }
      }
      if let stop = stopAfterEpochs, epochsThisRun >= stop, epochsDone < options.epochs { return autoencoder }
    }
    if let output {
      try AutoencoderFiles.save(autoencoder, training: options, data: dataRecord, to: output)
      try TrainingCurves.write(history, configuration: autoencoder.configuration, in: output)
    }
    return autoencoder
  }

  /// Finds the codes never active (BAE: constant) on the fixed training sample and re-initialises
  /// them (see ``resample(dead:weights:optimizer:input:errors:random:)``). Stateless apart from
  /// the weights, so a resumed run resamples exactly as an uninterrupted one.
  func resampleDeadCodes(step: TrainingStep, epoch: Int) throws(AutoencoderError) -> Int {
    guard let (x, y) = try data.trainingSample(count: 8192) else { return 0 }
    step.forward(
      weights: autoencoder.weights, input: x, target: y, regularizers: RegularizerWeights(), training: false,
      context: context)
    let statistics = step.statistics(target: y)
    let dead = activity.deadCodes(active: statistics.active, rows: statistics.rows)
    let output = step.output
    let d = y.columns
    let errors = (0..<y.rows).map { i in
      (0..<d).reduce(0.0) { sum, j in
        let e = Double(output[i, j] - y[i, j])
        return sum + e * e
      }
    }
    var random = SeededRandom(seed: options.seed, stream: 0xDEAD_0000 &+ UInt64(epoch))
    return Self.resample(
      dead: dead, weights: &autoencoder.weights, optimizer: &optimizer, input: x, errors: errors, random: &random)
  }

  /// Loss terms and statistics over the validation rows in order, in batches of the training
  /// batch size.
  func evaluate(step: TrainingStep, regularizers: RegularizerWeights) throws(AutoencoderError) -> (
    LossTerms?, CodeStatistics
  ) {
    var terms: [LossTerms] = []
    var statistics = CodeStatistics()
    try data.forEachValidationBatch(batchSize: options.batchSize) { x, y throws(AutoencoderError) in
      terms.append(
        step.forward(
          weights: autoencoder.weights, input: x, target: y, regularizers: regularizers, training: false,
          context: context))
      statistics.merge(step.statistics(target: y))
    }
    return (LossTerms.mean(terms), statistics)
  }

  /// The dead and dense definitions of the metrics, with the default thresholds.
  var activity: CodeActivity { CodeActivity(binary: autoencoder.configuration.architecture.isBinary) }
}

/// The first row holding NaN or ±∞, if any.
func firstNonFiniteRow(_ m: Matrix) -> Int? {
  guard let index = m.values.firstIndex(where: { !$0.isFinite }) else { return nil }
  return index / max(m.columns, 1)
}
