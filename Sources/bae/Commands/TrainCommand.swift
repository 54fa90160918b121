import ArgumentParser
import Autoencoders
import Extraction
import FeatureSets
import Foundation
import HookPoints
import Models
import RunControl
import TensorCore
import Tokenizers

/// `bae train`: train a BAE or an SAE baseline on the hidden states of a feature set.
struct TrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train a binary autoencoder (or an SAE baseline) on the hidden states of feature sets.",
    discussion: """
      Reads the rows of each --hook from the feature sets once (or, with --corpus, runs the model over
      the corpus in memory with the windows of bae extract, no files in between), then trains one
      autoencoder per hook (in OUT/<hook>/ when several are given). Writes config.json, weights.safetensors (SAELens
      layout), metrics.jsonl (one line per epoch) and checkpoint.safetensors; --resume continues
      exactly. Ctrl-C (SIGINT) or SIGTERM stops before the next step (exit 130/143); the epochs
      since the last checkpoint are redone on --resume. Defaults are the reference code's; --config FILE supplies a JSON object with
      "training", "data" and "autoencoder" settings (flags override it).
      """)

  @Option(
    name: .long, parsing: .upToNextOption,
    help: ArgumentHelp("Feature-set directories written by bae extract (rows are concatenated).", valueName: "dir"))
  var features: [String] = []

  @OptionGroup(title: "Training straight from a model and corpus (instead of --features)")
  var modelArguments: ModelArguments
  @OptionGroup var corpusArguments: CorpusArguments
  @OptionGroup var windows: WindowArguments

  @Option(
    name: .long,
    help: "Hooks to train on: names or shorthands (resid_post:15, resid_post:all, mlp_in:5 for a transcoder).")
  var hook: String

  @Option(name: .long, help: "Architecture: bae, relu, topk, batchtopk, jumprelu or transcoder.")
  var arch: Architecture?

  @Option(name: .long, help: "Code width as a multiple of the input width (default 4).")
  var expand: Int?

  @Option(name: .long, help: "BAE gradient estimator: sign, sign_s (reference default), sigmoid, squarewave.")
  var binarization: BinarizationEstimator?

  @Option(name: .long, help: "Output activation: none (default), sigmoid, tanh, relu.")
  var outputActivation: OutputActivation?

  @Flag(inversion: .prefixedNo, help: "Decoder bias (the reference's documented runs use it).")
  var bias: Bool?

  @Option(name: .long, help: "TopK / BatchTopK: codes kept per row (default 10).")
  var topk: Int?

  @Option(name: .long, help: "JumpReLU threshold (default 0.5, fixed as in the reference).")
  var jumpThreshold: Float?

  @Flag(name: .long, help: "JumpReLU: learn the thresholds (straight-through estimator of the JumpReLU SAE paper).")
  var learnThreshold = false

  @Option(name: .long, help: "Transcoder target hook (default: mlp_out of the input's layer).")
  var targetHook: String?

  @Option(name: .long, help: "Adam learning rate (default 1e-3).") var lr: Double?
  @Option(name: .long, help: "Rows per step (default 512).") var batchSize: Int?
  @Option(name: .long, help: "Epochs (default 100).") var epochs: Int?
  @Option(
    name: .long,
    help: "Train on about this many rows (tokens) in all instead of --epochs: epochs = ⌈budget / training rows⌉.")
  var tokenBudget: Int?
  @Option(name: .long, help: "Last epochs over which the learning rate falls linearly (default 0: constant).")
  var lrDecayEpochs: Int?
  @Option(name: .long, help: "Learning rate at the last step as a fraction of --lr when it decays (default 0).")
  var finalLrFraction: Double?
  @Option(name: .long, help: "Epochs over which the entropy weight ramps up from its start epoch (default 0).")
  var entropyWarmupEpochs: Int?
  @Option(name: .long, help: "Epochs over which the covariance weight ramps up (default 0).")
  var covarianceWarmupEpochs: Int?
  @Option(name: .long, help: "BAE entropy weight w_e (default 0).") var entropyWeight: Double?
  @Option(name: .long, help: "BAE entropy threshold (default 0).") var entropyThreshold: Double?
  @Option(name: .long, help: "First epoch of the entropy term (default 500).") var entropyStartEpoch: Int?
  @Option(name: .long, help: "BAE covariance weight w_c, active from the start (default 0).") var covarianceWeight:
    Double?
  @Option(name: .long, help: "ReLU/transcoder L1 weight (default 0).") var l1Weight: Double?
  @Option(name: .long, help: "First epoch of the L1 term (default 0).") var l1StartEpoch: Int?
  @Option(name: .long, help: "Fraction of rows for training; the rest validate (default 0.8).") var split: Double?
  @Option(name: .long, help: "Which rows train: first (the reference) or random.") var splitMode: SplitMode?
  @Option(name: .long, help: "Seed of initial weights, split and batch order (default 0).") var seed: UInt64?
  @Option(name: .long, help: "Checkpoint every N epochs (default 10).") var checkpointEvery: Int?
  @Flag(name: .long, help: "Keep decoder directions at unit norm (SAELens practice; off in the reference).")
  var unitNormDecoder = false
  @Option(name: .long, help: "Decoder bias start: random (reference), zero, mean or geometric-median.")
  var decoderBiasInit: DecoderBiasInitialization?
  @Option(name: .long, help: "Re-initialise dead codes every N epochs (0: never, the reference).")
  var resampleDeadEvery: Int?

  @Option(name: .long, help: "Drop rows at window positions below N (1 drops the attention sink).") var dropPositions:
    Int?
  @Option(name: .long, help: "Drop rows whose L2 norm exceeds this.") var maxNorm: Double?
  @Option(name: .long, help: "Read at most N rows (the first, in file order).") var maxRows: Int?
  @Option(name: .long, help: "Input scaling: none (default), sqrt-d or per-dimension.") var normalize:
    InputNormalization.Kind?

  @Option(name: .long, help: "JSON file with \"autoencoder\", \"training\" and \"data\" settings.") var config: String?
  @Option(name: .long, help: "Output directory.") var out: String
  @Flag(name: .long, help: "Continue the run checkpointed in OUT.") var resume = false
  @Flag(name: .long, help: "Read the complete shards of a feature set whose extraction is unfinished.")
  var allowIncomplete = false
  @Flag(
    name: .long,
    help:
      "Read the feature set from disk at every epoch (buffered shuffle) instead of loading it; automatic when it does not fit in memory."
  )
  var stream = false
  @Option(name: .long, help: "Rows in the shuffle buffer when streaming (default 65536).") var shuffleBuffer: Int?
  @Flag(name: .long, help: "Print the result as one JSON object.") var json = false

  func validate() throws {
    if features.isEmpty == corpusArguments.corpus.isEmpty {
      throw ValidationError("give either --features DIR… or --corpus PATH… (with --model and --max-tokens)")
    }
    if !corpusArguments.corpus.isEmpty, windows.maxTokens == nil {
      throw ValidationError(
        "--max-tokens is required when training straight from a corpus (the rows are held in memory)")
    }
    if let expand, expand < 1 { throw ValidationError("--expand must be at least 1") }
    if tokenBudget != nil, epochs != nil { throw ValidationError("give --epochs or --token-budget, not both") }
    if let tokenBudget, tokenBudget < 1 { throw ValidationError("--token-budget must be positive") }
  }

  /// Settings from `--config`, the base that flags override.
  struct ConfigFile: Decodable {
    var autoencoder: AutoencoderSettings?
    var training: TrainingOptions?
    var data: DataOptions?

    struct AutoencoderSettings: Decodable {
      var architecture: Architecture?
      var expand: Int?
      var estimator: BinarizationEstimator?
      var outputActivation: OutputActivation?
      var decoderBias: Bool?
      var topK: Int?
      var jumpThreshold: Float?
      var learnThreshold: Bool?
    }
  }

  func run() throws {
    let context = modelArguments.context
    let file: ConfigFile? = try config.map { path in
      do {
        return try JSONDecoder().decode(ConfigFile.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
      } catch let error as DecodingError {
        throw CommandError("\(path): \(error.plainDescription)")
      } catch {
        throw CommandError("\(path): cannot read: \(error.localizedDescription)")
      }
    }
    let options = try trainingOptions(base: file?.training ?? TrainingOptions())
    let dataOptions = self.dataOptions(base: file?.data ?? DataOptions())
    let a = file?.autoencoder
    let architecture = arch ?? a?.architecture ?? .bae

    let source = try DataSource(
      features: features, allowIncomplete: allowIncomplete, model: modelArguments, corpus: corpusArguments,
      windows: windows, context: context)
    let layerCount = source.layerCount
    let inputs = try reportingErrors { try HookPoint.parseList(hook, layerCount: layerCount) }
    // Each job: the input hook, and a transcoder's target hook.
    let jobs: [(input: HookPoint, target: HookPoint?)] = try inputs.map { input in
      guard architecture == .transcoder else { return (input, nil) }
      if let targetHook {
        return (input, try reportingErrors { try HookPoint(name: targetHook, layerCount: layerCount) })
      }
      guard let layer = input.layer else {
        throw CommandError("--target-hook is needed for a transcoder on \(input.name)")
      }
      return (input, .mlpOutput(layer: layer))
    }
    var allPoints: [HookPoint] = []
    for job in jobs {
      for p in [job.input] + (job.target.map { [$0] } ?? []) where !allPoints.contains(p) { allPoints.append(p) }
    }

    let reading = Date()
    var meter = TrainMeter()
    let streaming = try source.shouldStream(points: allPoints, options: dataOptions, asked: stream)
    let rows = streaming ? nil : try source.rows(of: allPoints, options: dataOptions, meter: &meter)
    meter.finishLine()
    let readSeconds = Date().timeIntervalSince(reading)
    let output = URL(fileURLWithPath: out)
    var results: [TrainResult] = []
    for (index, job) in jobs.enumerated() {
      let directory = jobs.count == 1 ? output : output.appendingPathComponent(job.input.name)
      let expandBy = expand ?? a?.expand ?? 4
      func configuration(width d: Int, normalization: InputNormalization) -> AutoencoderConfiguration {
        AutoencoderConfiguration(
          architecture: architecture, inputWidth: d, codeWidth: d * expandBy,
          estimator: binarization ?? a?.estimator ?? .signS,
          outputActivation: outputActivation ?? a?.outputActivation ?? .none,
          decoderBias: bias ?? a?.decoderBias ?? true, topK: topk ?? a?.topK ?? 10,
          jumpThreshold: jumpThreshold ?? a?.jumpThreshold ?? 0.5,
          learnThreshold: learnThreshold || (a?.learnThreshold ?? false),
          inputHook: job.input.name, targetHook: job.target?.name, model: source.modelPath, normalization: normalization
        )
      }
      let trainer: Trainer
      let report: DataReport
      if let rows {
        var x = rows.values[allPoints.firstIndex(of: job.input)!]
        let y = job.target.map { rows.values[allPoints.firstIndex(of: $0)!] }
        let normalization = InputNormalization.fit(dataOptions.normalization, to: x)
        x = normalization.apply(x)
        let c = configuration(width: x.columns, normalization: normalization)
        let o = budgeted(options, rows: x.rows)
        trainer = try mappingErrors {
          try Trainer(
            configuration: c, options: o, inputs: x, targets: y, output: directory, resume: resume, context: context)
        }
        report = rows.report
      } else {
        var streamed = StreamingRows(
          set: source.featureSet!, input: job.input, target: job.target, data: dataOptions,
          bufferRows: shuffleBuffer ?? 1 << 16)
        try reportingErrors {
          try streamed.fitNormalization(dataOptions.normalization, trainFraction: options.trainFraction)
        }
        let c = configuration(
          width: try reportingErrors { try streamed.inputWidth() }, normalization: streamed.normalization)
        let o = budgeted(options, rows: streamed.rowCount)
        trainer = try mappingErrors {
          try Trainer(configuration: c, options: o, stream: streamed, output: directory, resume: resume, context: context)
        }
        report = DataReport(rowsRead: streamed.rowCount)
      }
      let d = trainer.autoencoder.configuration.inputWidth
      let codeWidth = trainer.autoencoder.configuration.codeWidth
      trainer.dataRecord = AutoencoderFiles.DataRecord(
        featureSets: features, corpus: corpusArguments.corpus.isEmpty ? nil : corpusArguments.corpus,
        hooks: [job.input.name] + (job.target.map { [$0.name] } ?? []), options: dataOptions, report: report)
      let start = Date()
      let label = jobs.count > 1 ? "[\(index + 1)/\(jobs.count) \(job.input.name)] " : ""
      let signals = SignalCancellation(stopping: "training")
      defer { signals.stop() }
      _ = try mappingErrors {
        try trainer.run(cancellation: signals.cancellation) { meter.training($0, label: label) }
      }
      signals.stop()
      meter.finishLine()
      let seconds = Date().timeIntervalSince(start)
      let metrics = try reportingErrors { try EpochMetrics.read(from: directory) }
      let last = metrics.last
      let terms = last.map { $0.validation ?? $0.train }
      let result = TrainResult(
        hook: job.input.name, out: directory.path, architecture: architecture.rawValue, rows: report.rowsKept,
        seconds: seconds,
        rowsPerSecond: Double(trainer.trainedRowsThisRun) / max(seconds, 1e-9), mse: terms?.mse,
        fractionOfVarianceUnexplained: last?.fractionOfVarianceUnexplained, l0: last?.l0, dead: last?.dead,
        dense: last?.dense, entropyBits: terms?.entropy, covariance: terms?.covariance)
      results.append(result)
      if !json {
        print(
          "trained \(architecture.rawValue) on \(job.input.name) (\(streaming ? "\(report.rowsRead) rows streamed" : "\(report.rowsKept) rows"), d=\(d) → \(codeWidth)) in \(String(format: "%.1f", seconds)) s → \(directory.path)"
            + (last.map { m in
              let t = m.validation ?? m.train
              return
                "; mse \(String(format: "%.4g", t.mse)), fvu \(String(format: "%.3f", m.fractionOfVarianceUnexplained)), l0 \(String(format: "%.1f", m.l0)), dead \(m.dead), dense \(m.dense)"
                + (t.entropy.map { ", entropy \(String(format: "%.2f", $0)) bits" } ?? "")
            } ?? ""))
      }
    }
    if json {
      struct Summary: Encodable {
        var readSeconds: Double
        var data: DataReport
        var runs: [TrainResult]
        enum CodingKeys: String, CodingKey { case readSeconds = "read_seconds", data, runs }
      }
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
      let data = try encoder.encode(
        Summary(readSeconds: readSeconds, data: rows?.report ?? DataReport(), runs: results))
      print(String(decoding: data, as: UTF8.self))
    } else if let r = rows?.report, r.droppedByNorm + r.droppedByPosition > 0 {
      print("data: \(r.rowsRead) rows read, \(r.droppedByPosition) dropped by position, \(r.droppedByNorm) by norm")
    }
  }

  func trainingOptions(base: TrainingOptions) throws -> TrainingOptions {
    var o = base
    if let lr { o.learningRate = lr }
    if let batchSize { o.batchSize = batchSize }
    if let epochs { o.epochs = epochs }
    if let lrDecayEpochs { o.learningRateDecayEpochs = lrDecayEpochs }
    if let finalLrFraction { o.finalLearningRateFraction = finalLrFraction }
    if let entropyWarmupEpochs { o.entropyWarmupEpochs = entropyWarmupEpochs }
    if let covarianceWarmupEpochs { o.covarianceWarmupEpochs = covarianceWarmupEpochs }
    if let entropyWeight { o.entropyWeight = entropyWeight }
    if let entropyThreshold { o.entropyThreshold = entropyThreshold }
    if let entropyStartEpoch { o.entropyStartEpoch = entropyStartEpoch }
    if let covarianceWeight { o.covarianceWeight = covarianceWeight }
    if let l1Weight { o.l1Weight = l1Weight }
    if let l1StartEpoch { o.l1StartEpoch = l1StartEpoch }
    if let split { o.trainFraction = split }
    if let splitMode { o.split = splitMode }
    if let seed { o.seed = seed }
    if let checkpointEvery { o.checkpointEvery = checkpointEvery }
    if unitNormDecoder { o.unitNormDecoder = true }
    if let decoderBiasInit { o.decoderBiasInit = decoderBiasInit }
    if let resampleDeadEvery { o.resampleDeadEvery = resampleDeadEvery }
    try mappingErrors { try o.validate() }
    return o
  }

  /// The flag of each training or autoencoder setting the library names in its errors.
  static let flags: [String: String] = [
    "learningRate": "--lr", "batchSize": "--batch-size", "epochs": "--epochs",
    "learningRateDecayEpochs": "--lr-decay-epochs", "finalLearningRateFraction": "--final-lr-fraction",
    "entropyWarmupEpochs": "--entropy-warmup-epochs", "covarianceWarmupEpochs": "--covariance-warmup-epochs",
    "trainFraction": "--split", "checkpointEvery": "--checkpoint-every", "resampleDeadEvery": "--resample-dead-every",
    "topK": "--topk", "jumpThreshold": "--jump-threshold", "codeWidth": "--expand", "dropPositionsBelow":
      "--drop-positions", "maxNorm": "--max-norm", "maxRows": "--max-rows", "training": "--resume",
  ]

  /// Runs `body`, turning the library's option errors into usage errors (exit 64) that name the
  /// flag (or the `--config` key), and a stop asked for by SIGINT/SIGTERM into the resume
  /// command and exit 130/143.
  private func mappingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
      return try body()
    } catch let error as AutoencoderError {
      switch error {
      case .invalidConfiguration(let key, let reason):
        throw ValidationError("\(Self.flags[key] ?? "configuration '\(key)'"): \(reason)")
      case .cancelled(let reason, _, _, _):
        FileHandle.standardError.write(
          Data("\n\(error.description); continue with:\n  \(commandLine(adding: "--resume"))\n".utf8))
        throw ExitCode(SignalCancellation.exitStatus(reason))
      default:
        throw CommandError(error.description)
      }
    } catch {
      return try reportingErrors { throw error }
    }
  }

  /// `options` with the epochs that `--token-budget` asks for on `rows` rows (of which the
  /// training fraction trains), or unchanged without it.
  func budgeted(_ options: TrainingOptions, rows: Int) -> TrainingOptions {
    guard let tokenBudget else { return options }
    var o = options
    let training = max(1, Int((Double(rows) * options.trainFraction).rounded(.down)))
    o.epochs = max(1, (tokenBudget + training - 1) / training)
    return o
  }

  func dataOptions(base: DataOptions) -> DataOptions {
    var o = base
    if let dropPositions { o.dropPositionsBelow = dropPositions }
    if let maxNorm { o.maxNorm = maxNorm }
    if let maxRows { o.maxRows = maxRows }
    if let normalize { o.normalization = normalize }
    return o
  }
}

/// One trained autoencoder, as `--json` reports it (the last epoch's validation figures).
struct TrainResult: Encodable {
  var hook: String
  var out: String
  var architecture: String
  var rows: Int
  var seconds: Double
  var rowsPerSecond: Double
  var mse: Double?
  var fractionOfVarianceUnexplained: Double?
  var l0: Double?
  var dead: Int?
  var dense: Int?
  var entropyBits: Double?
  var covariance: Double?

  enum CodingKeys: String, CodingKey {
    case hook, out, architecture, rows, seconds, mse, l0, dead, dense, covariance
    case rowsPerSecond = "rows_per_second"
    case fractionOfVarianceUnexplained = "fvu"
    case entropyBits = "entropy_bits"
  }
}
