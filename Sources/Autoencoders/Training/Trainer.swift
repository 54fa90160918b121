import Checkpoints
import Foundation
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
/// `config.json`, `weights.safetensors`, `metrics.jsonl` and a resumable checkpoint into its
/// output directory.
///
/// Deterministic for a seed and compute context: the initial weights come from the seed, and the
/// batch order of epoch `e` from the seed's stream `e`, so a run resumed from a checkpoint makes
/// exactly the steps of an uninterrupted one.
public final class Trainer {
  public let options: TrainingOptions
  public let context: ComputeContext
  /// The autoencoder being trained (for data scaled by `normalizeInputs`, if set).
  public private(set) var autoencoder: Autoencoder
  let inputs: Matrix
  let targets: Matrix
  /// The factors of `normalizeInputs` (1 without it): batches are scaled by them as they are
  /// gathered, and `run` folds them into the weights it returns.
  let inputScale: Float
  let targetScale: Float
  let trainRows: [Int]
  let validationRows: [Int]
  let output: URL?
  var optimizer: AdamOptimizer
  /// Epochs finished.
  public private(set) var epochsDone = 0
  /// For tests: stop (as if killed) after this many epochs of this run.
  public var stopAfterEpochs: Int?

  /// Prepares a run (or continues the one checkpointed in `output` when `resume`).
  ///
  /// - Parameters:
  ///   - configuration: the autoencoder to train.
  ///   - inputs: `[N, d]` rows.
  ///   - targets: `[N, d]` reconstruction targets (a transcoder's), or `nil` for the inputs.
  ///   - output: directory for the files, or `nil` to keep everything in memory.
  /// - Throws: ``AutoencoderError``.
  public init(
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
    let trainRows = Array(order[..<trainCount])
    self.trainRows = trainRows
    validationRows = Array(order[trainCount...])
    if options.normalizeInputs, configuration.outputActivation != .none, configuration.outputActivation != .relu {
      throw .invalidConfiguration(
        key: "normalizeInputs",
        reason: "needs the output activation none or relu (a scale does not pass through "
          + "\(configuration.outputActivation.rawValue)); turn one of them off")
    }
    inputScale = options.normalizeInputs ? normalizationScale(inputs, rows: trainRows) : 1
    targetScale = options.normalizeInputs ? targets.map { normalizationScale($0, rows: trainRows) } ?? inputScale : 1
    self.inputs = inputs
    self.targets = targets ?? inputs
    self.options = options
    self.context = context
    self.output = output

    if resume, let output {
      let checkpoint = try TrainingCheckpoint.load(from: output, configuration: configuration)
      guard checkpoint.options == options else {
        throw .invalidConfiguration(
          key: "training", reason: "the options differ from the checkpointed run's in \(output.path); use the same options to resume")
      }
      autoencoder = checkpoint.autoencoder
      optimizer = checkpoint.optimizer
      epochsDone = checkpoint.epochsDone
      try TrainingCheckpoint.truncateMetrics(in: output, toBytes: checkpoint.metricsBytes)
    } else {
      autoencoder = try Autoencoder(configuration: configuration, seed: options.seed)
      optimizer = AdamOptimizer(hyperparameters: options.adam, weights: autoencoder.weights)
      if let output { try TrainingCheckpoint.prepare(output) }
    }
  }

  /// Tensors Adam updates.
  var trainable: [String] {
    var names = ["W_enc", "b_enc", "W_dec"]
    if autoencoder.configuration.decoderBias { names.append("b_dec") }
    return names
  }

  /// Runs the remaining epochs.
  ///
  /// - Parameter progress: called after every step.
  /// - Returns: the trained autoencoder.
  /// - Throws: ``AutoencoderError/nonFiniteLoss(epoch:step:lastGoodCheckpoint:)`` (the last
  ///   checkpoint is kept), write errors.
  @discardableResult
  public func run(progress: (TrainingProgress) -> Void = { _ in }) throws(AutoencoderError) -> Autoencoder {
    let start = Date()
    let step = TrainingStep(configuration: autoencoder.configuration)
    var gradients = autoencoder.weights.zeros()
    let batch = options.batchSize
    let stepsPerEpoch = (trainRows.count + batch - 1) / batch
    var rowsThisRun = 0
    var epochsThisRun = 0
    var lastCheckpoint = output.map { TrainingCheckpoint.url(in: $0) }
    while epochsDone < options.epochs {
      let epoch = epochsDone
      var random = SeededRandom(seed: options.seed, stream: UInt64(epoch))
      var order = trainRows
      random.shuffle(&order)
      let regularizers = options.regularizers(epoch: epoch, architecture: autoencoder.configuration.architecture)
      var trainTerms: [LossTerms] = []
      var trainStatistics = CodeStatistics()
      for s in 0..<stepsPerEpoch {
        let rows = Array(order[(s * batch)..<min(order.count, (s + 1) * batch)])
        guard rows.count >= 2 else { continue }  // a one-row tail has no covariance
        let (x, y) = scaledBatch(rows)
        let terms = step.forward(
          weights: autoencoder.weights, input: x, target: y, regularizers: regularizers, training: true, context: context)
        trainStatistics.merge(step.statistics(target: y))
        guard terms.total.isFinite else {
          throw .nonFiniteLoss(epoch: epoch, step: optimizer.step + 1, lastGoodCheckpoint: lastCheckpoint.flatMap {
            FileManager.default.fileExists(atPath: $0.path) ? $0 : nil
          })
        }
        step.backward(weights: autoencoder.weights, input: x, target: y, into: &gradients, context: context)
        optimizer.hyperparameters.learningRate = options.learningRate(
          step: epoch * stepsPerEpoch + s, stepsPerEpoch: stepsPerEpoch)
        optimizer.update(&autoencoder.weights, gradients: gradients, trainable: trainable)
        trainTerms.append(terms)
        rowsThisRun += rows.count
        let seconds = Date().timeIntervalSince(start)
        progress(
          TrainingProgress(
            epoch: epoch, epochs: options.epochs, stepInEpoch: s + 1, stepsPerEpoch: stepsPerEpoch, loss: terms,
            seconds: seconds, rowsPerSecond: Double(rowsThisRun) / max(seconds, 1e-9)))
      }
      let (validation, validationStatistics) = evaluate(rows: validationRows, step: step, regularizers: regularizers)
      let statistics = validationStatistics.rows > 0 ? validationStatistics : trainStatistics
      let metrics = EpochMetrics(
        epoch: epoch, step: optimizer.step, train: LossTerms.mean(trainTerms) ?? LossTerms(mse: .nan, total: .nan),
        validation: validation, fractionOfVarianceUnexplained: statistics.fractionOfVarianceUnexplained, l0: statistics.l0,
        dead: Self.deadCount(statistics, binary: autoencoder.configuration.architecture.isBinary),
        dense: Self.denseCount(statistics, binary: autoencoder.configuration.architecture.isBinary),
        seconds: Date().timeIntervalSince(start))
      epochsDone += 1
      epochsThisRun += 1
      if let output {
        try TrainingCheckpoint.appendMetrics(metrics, in: output)
        if epochsDone % options.checkpointEvery == 0 || epochsDone == options.epochs {
          try TrainingCheckpoint(
            autoencoder: autoencoder, options: options, optimizer: optimizer, epochsDone: epochsDone, metricsBytes: 0
          ).write(to: output)
          lastCheckpoint = TrainingCheckpoint.url(in: output)
        }
      }
      if let stop = stopAfterEpochs, epochsThisRun >= stop, epochsDone < options.epochs { return autoencoder }
    }
    let trained = autoencoder.foldingScales(inputScale: inputScale, targetScale: targetScale)
    if let output { try AutoencoderFiles.save(trained, training: options, to: output) }
    return trained
  }

  /// Loss terms and statistics over `rows` in order, in batches of the training batch size.
  func evaluate(
    rows: [Int], step: TrainingStep, regularizers: RegularizerWeights
  ) -> (LossTerms?, CodeStatistics) {
    var terms: [LossTerms] = []
    var statistics = CodeStatistics()
    let batch = options.batchSize
    var start = 0
    while start < rows.count {
      let chunk = Array(rows[start..<min(rows.count, start + batch)])
      start += batch
      let (x, y) = scaledBatch(chunk)
      terms.append(
        step.forward(
          weights: autoencoder.weights, input: x, target: y, regularizers: regularizers, training: false, context: context))
      statistics.merge(step.statistics(target: y))
    }
    return (LossTerms.mean(terms), statistics)
  }

  /// The inputs and targets of `rows`, scaled by ``inputScale`` and ``targetScale``.
  func scaledBatch(_ rows: [Int]) -> (input: Matrix, target: Matrix) {
    (scaled(inputs.gathering(rows: rows), by: inputScale), scaled(targets.gathering(rows: rows), by: targetScale))
  }

  static func deadCount(_ s: CodeStatistics, binary: Bool) -> Int {
    s.active.filter { binary ? ($0 == 0 || $0 == s.rows) : $0 == 0 }.count
  }

  static func denseCount(_ s: CodeStatistics, binary: Bool) -> Int {
    let threshold = binary ? 0.5 : 0.1
    return s.firingRates.filter { $0 > threshold }.count
  }
}

/// The first row holding NaN or ±∞, if any.
func firstNonFiniteRow(_ m: Matrix) -> Int? {
  guard let index = m.values.firstIndex(where: { !$0.isFinite }) else { return nil }
  return index / max(m.columns, 1)
}
