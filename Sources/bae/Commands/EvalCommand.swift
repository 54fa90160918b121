import ArgumentParser
import Autoencoders
import Extraction
import FeatureSets
import Foundation
import HookPoints
import Models
import Studies
import Tokenizers

/// `bae eval`: reconstruction statistics of a trained autoencoder over a feature set, and its
/// downstream loss when spliced into the model over a corpus.
struct EvalCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval",
    abstract: "Evaluate an autoencoder: reconstruction, dead and dense codes, and downstream loss.",
    discussion: """
      With --features: L0, MSE, FVU (x̄ the mean over all rows), explained variance, dead and dense
      codes and per-code firing rates over the feature set's rows (streamed; --rows limits them).
      With --corpus (and --model, --max-tokens): the mean next-token cross-entropy (nats) over
      windows cut as bae extract cuts them, for the clean model, with the hook's activations
      replaced by the autoencoder's reconstruction, by zeros and by their mean; and the fraction
      of loss recovered, (zero − spliced) / (zero − clean). Positions below --skip-first are
      neither replaced nor scored. Dense: firing rate above --dense-threshold (default 0.1 for an
      SAE; 0.5 for a BAE, i.e. bits that are 1 on most rows). --out DIR writes eval.json,
      firing-rates.svg and firing-rates.csv.
      """)

  @Argument(help: ArgumentHelp("Autoencoder directory (config.json and weights.safetensors).", valueName: "dir"))
  var autoencoderDirectory: String

  @Option(name: .long, help: ArgumentHelp("Feature-set directory (repeat to read several as one).", valueName: "dir"))
  var features: [String] = []

  @Option(name: .long, help: "Evaluate only the first N rows of the feature set.")
  var rows: Int?

  @OptionGroup(title: "Downstream loss (model and corpus)")
  var modelArguments: ModelArguments
  @OptionGroup var corpusArguments: CorpusArguments
  @OptionGroup var windows: WindowArguments

  @Option(name: .long, help: "Hook the autoencoder reads (default: the one in its config.json).")
  var hook: String?

  @Option(name: .long, help: "Firing rate above which a code is dense (default: 0.1 for an SAE, 0.5 for a BAE).")
  var denseThreshold: Double?

  @Option(name: .long, help: "Feature-set rows encoded at a time.")
  var batchSize = 4096

  @Option(
    name: .long, help: ArgumentHelp("Write eval.json, firing-rates.svg and firing-rates.csv here.", valueName: "dir"))
  var out: String?

  @Flag(name: .long, help: "Print the result as one JSON object.")
  var json = false

  func validate() throws {
    guard !features.isEmpty || !corpusArguments.corpus.isEmpty else {
      throw ValidationError(
        "give --features DIR (reconstruction) and/or --corpus PATH --max-tokens N (downstream loss)")
    }
    if !corpusArguments.corpus.isEmpty, windows.maxTokens == nil {
      throw ValidationError("the downstream loss needs --max-tokens N (tokens at positions ≥ --skip-first)")
    }
    if corpusArguments.corpus.isEmpty, modelArguments.model != nil {
      throw ValidationError("--model is used for the downstream loss, which needs --corpus PATH --max-tokens N")
    }
    if let rows, rows < 1 { throw ValidationError("--rows must be at least 1") }
    guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
    if let denseThreshold, !(0...1).contains(denseThreshold) {
      throw ValidationError("--dense-threshold must be a firing rate in 0…1, got \(denseThreshold)")
    }
  }

  func run() throws {
    let start = Date()
    let directory = URL(fileURLWithPath: autoencoderDirectory)
    let ae = try reportingErrors { try AutoencoderFiles.load(from: directory).0 }
    let c = ae.configuration
    let point = try hook.map(Self.parseHook)
    let hooks = try reportingErrors {
      do {
        return try AutoencoderHooks(autoencoder: ae, input: point)
      } catch EvaluationError.noHook {
        throw ValidationError("the autoencoder records no input hook in its config.json; name it with --hook (e.g. resid_post:12)")
      }
    }
    let activity = CodeActivity(binary: c.architecture.isBinary, denseThreshold: denseThreshold)
    let context = modelArguments.context
    var report = EvaluationReport(
      autoencoder: autoencoderDirectory, architecture: c.architecture.rawValue, hook: hooks.input.name,
      outputHook: hooks.output.name, inputWidth: c.inputWidth, codeWidth: c.codeWidth,
      denseThreshold: activity.denseThreshold, seconds: 0)

    if !features.isEmpty {
      let set = try reportingErrors { try FeatureSet(directories: features.map { URL(fileURLWithPath: $0) }) }
      var meter = RowProgressMeter()
      report.features = features
      report.reconstruction = try reportingErrors {
        try ReconstructionEvaluation.evaluate(
          set, autoencoder: ae, hooks: hooks,
          options: ReconstructionOptions(batchSize: batchSize, maxRows: rows, activity: activity, context: context)
        ) { meter.update(CodeProgress(rows: $0, totalRows: $1)) }
      }
      meter.finish()
    }

    if !corpusArguments.corpus.isEmpty {
      let location = try modelArguments.resolvedLocation()
      let model = try reportingErrors { try LlamaModel.load(from: location) }
      try reportingErrors { try hooks.check(ae, against: model.configuration, model: location.requestedURL.path) }
      let tokenizer = try reportingErrors { try TokenizerLoader.load(model: location) }
      let w = windows
      let options = ExtractionOptions(
        hooks: [hooks.input], context: w.context, bos: w.bos, skipFirst: w.skipFirst, batchTokens: w.batchTokens,
        shardTokens: w.maxTokens ?? 1, maxTokens: w.maxTokens)
      let extractor = try reportingErrors {
        try Extractor(
          model: model, modelPath: location.requestedURL, tokenizer: tokenizer, corpusPaths: corpusArguments.corpus,
          corpusOptions: corpusArguments.options, options: options, output: nil, resume: false, context: context)
      }
      var reading = RowProgressMeter(unit: "tokens")
      let batches = try reportingErrors {
        try extractor.tokenBatches { reading.update(CodeProgress(rows: $0.tokens, totalRows: $0.target ?? 0)) }
      }
      reading.finish()
      var meter = RowProgressMeter(unit: "batches")
      report.model = location.requestedURL.path
      report.corpus = corpusArguments.corpus
      report.downstream = try reportingErrors {
        try DownstreamLoss.evaluate(
          model: model, autoencoder: ae, hooks: hooks, batches: batches,
          options: DownstreamOptions(keepFirst: w.skipFirst, activity: activity, context: context)
        ) { meter.update(CodeProgress(rows: $0.batchesDone, totalRows: $0.batches, pass: $0.pass, passCount: 2)) }
      }
      meter.finish()
    }

    report.seconds = Date().timeIntervalSince(start)
    if let out { try reportingErrors { try report.write(to: URL(fileURLWithPath: out)) } }
    if json {
      print(String(decoding: try reportingErrors { try report.json() }, as: UTF8.self))
    } else {
      print(Self.summary(report, wroteTo: out))
    }
  }

  /// One hook, by full name (`blocks.12.hook_resid_post`) or as `site:layer` (`resid_post:12`).
  static func parseHook(_ text: String) throws -> HookPoint {
    if let point = try? HookPoint(name: text) { return point }
    let parts = text.split(separator: ":").map(String.init)
    if parts.count == 2, let site = HookSite(rawValue: parts[0]), let layer = Int(parts[1]),
      let point = try? HookPoint(site: site, layer: layer)
    {
      return point
    }
    throw CommandError("--hook '\(text)': give one hook, e.g. blocks.12.hook_resid_post or resid_post:12")
  }

  /// The human-readable table.
  static func summary(_ r: EvaluationReport, wroteTo out: String?) -> String {
    func number(_ value: Double?, _ format: String = "%.4g") -> String {
      value.map { String(format: format, $0) } ?? "–"
    }
    var lines = [
      "\(r.architecture) autoencoder \(r.autoencoder): \(r.hook)"
        + (r.outputHook == r.hook ? "" : " → \(r.outputHook)") + ", d=\(r.inputWidth) → \(r.codeWidth)"
    ]
    func reconstruction(_ s: ReconstructionStatistics, over what: String) {
      lines.append("reconstruction over \(s.rows.formatted()) \(what):")
      lines.append("  L0                   \(number(s.l0, "%.2f"))")
      lines.append("  MSE                  \(number(s.mse))")
      lines.append("  FVU                  \(number(s.fractionOfVarianceUnexplained))")
      lines.append("  explained variance   \(number(s.explainedVariance))")
      lines.append("  dead codes           \(s.dead)")
      lines.append("  dense codes          \(s.dense) (firing rate > \(number(s.denseThreshold, "%g")))")
      if let bits = s.entropyBits { lines.append("  entropy              \(number(bits, "%.2f")) bits") }
    }
    if let s = r.reconstruction { reconstruction(s, over: "feature-set rows") }
    if let d = r.downstream {
      lines.append(
        "downstream loss, nats per predicted token, over \(d.predictions.formatted()) predictions from \(d.tokens.formatted()) replaced tokens in \(d.windows.formatted()) windows (positions < \(d.keepFirst) kept clean):"
      )
      lines.append("  clean                \(number(d.cleanLoss, "%.4f"))")
      lines.append("  spliced              \(number(d.splicedLoss, "%.4f")) (\(number(d.lossIncrease, "%+.4f")))")
      lines.append("  zero-ablation        \(number(d.zeroAblationLoss, "%.4f"))")
      lines.append("  mean-ablation        \(number(d.meanAblationLoss, "%.4f"))")
      lines.append("  loss recovered       \(number(d.lossRecovered, "%.4f")) (vs zero-ablation)")
      lines.append("                       \(number(d.lossRecoveredVsMeanAblation, "%.4f")) (vs mean-ablation)")
      if r.reconstruction == nil { reconstruction(d.reconstruction, over: "replaced corpus tokens") }
    } else {
      lines.append(
        "downstream loss: not measured (needs --corpus PATH --max-tokens N, with --model or the default model)")
    }
    lines.append(
      "\(String(format: "%.2f", r.seconds)) s"
        + (out.map {
          "; wrote \($0)/\(EvaluationReport.jsonName), \(EvaluationReport.histogramName), \(EvaluationReport.ratesName)"
        } ?? ""))
    return lines.joined(separator: "\n")
  }
}
