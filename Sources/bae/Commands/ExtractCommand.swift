import ArgumentParser
import Corpora
import Extraction
import FeatureSets
import Foundation
import HookPoints
import Models
import RunControl
import TensorCore
import Tokenizers

/// `bae extract`: stream a corpus through the model into feature-set shards.
struct ExtractCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "extract",
    abstract: "Stream per-token hidden states from a corpus into safetensors (or .npy) shards.",
    discussion: """
      Writes OUT/shard-00000.safetensors … (one tensor per hook [n, d], token_ids [n] int32,
      doc_index [n] int64, position [n] int32) and OUT/manifest.json. Memory stays constant
      whatever the corpus size. Interrupted runs continue with --resume and give the same shards.
      Ctrl-C (SIGINT) or SIGTERM stops after the current batch, discards the shard in progress
      and exits 130 or 143; --resume checks every shard's SHA-256 first, and --repair extracts a
      damaged shard and the ones after it again.

      Sharded: with --shard I/N (or in a Slurm array job, or a Kubernetes indexed Job), the run
      extracts part I of N of the documents into OUT/part-IIIII/, resumable on its own; once
      every part is done, `bae features merge OUT` makes OUT one set. --max-tokens is the total
      over all parts (each part keeps its share).
      """)

  @OptionGroup var modelArguments: ModelArguments
  @OptionGroup var precisionArguments: PrecisionArguments
  @OptionGroup var corpusArguments: CorpusArguments

  @Option(name: .long, help: "Hooks: names or shorthands (resid_post:all, mlp_in:0,5,11, blocks.3.hook_attn_out, …).")
  var hooks = "resid_post:all"

  @OptionGroup var windows: WindowArguments

  @Option(name: .long, help: "Rows per shard (default: about 256 MiB of activations per shard).")
  var shardTokens: Int?

  @Option(name: .long, help: "Fraction of documents to keep (sampled by a seeded hash of the document index).")
  var sampleRate = 1.0

  @Option(name: .long, help: "Seed for document sampling.")
  var seed: UInt64 = 0

  @Option(name: .long, help: "Stored precision: f32, f16 or bf16.")
  var dtype = StoredType.f32

  @Option(name: .long, help: "Output files: safetensors or npy.")
  var format = FeatureFileFormat.safetensors

  @Option(name: .long, help: "Output directory.")
  var out: String

  @Flag(name: .long, help: "Continue the run recorded in OUT/manifest.json (every shard's SHA-256 is checked first).")
  var resume = false

  @Flag(
    name: .long,
    help: "With --resume: remove the first damaged shard and those after it, and extract them again.")
  var repair = false
  @OptionGroup var shardArguments: ShardArguments

  func validate() throws {
    if corpusArguments.corpus.isEmpty { throw ValidationError("give at least one --corpus path") }
    if out.isEmpty { throw ValidationError("--out must name a directory (it is empty)") }
    if repair && !resume { throw ValidationError("--repair needs --resume") }
  }

  /// The flag that sets each extraction option, for error messages.
  static let flags: [ExtractionOptionError.Option: String] = [
    .hooks: "--hooks", .context: "--context", .bos: "--bos", .skipFirst: "--skip-first", .batchTokens: "--batch-tokens",
    .shardTokens: "--shard-tokens", .maxTokens: "--max-tokens", .sampleRate: "--sample-rate", .seed: "--seed",
    .dtype: "--dtype", .fileFormat: "--format",
  ]

  /// The flag of `option`, for messages.
  static func flag(_ option: ExtractionOptionError.Option) -> String { flags[option] ?? option.rawValue }

  func run() throws {
    let location = try modelArguments.resolvedLocation()
    let output = URL(fileURLWithPath: out)
    // A resumed run keeps its recorded threads, precision and bf16 kernel unless the flags name
    // them (--bf16-kernel counts with --precision).
    let recorded = resume ? (try? FeatureManifest.load(from: output))?.compute : nil
    var context = modelArguments.explicitContext
    if let precision = precisionArguments.precision {
      context = ComputeContext(
        threads: modelArguments.threads ?? recorded?.threads ?? ComputeContext.availableCores, precision: precision,
        bfloat16Kernel: precisionArguments.kernel(for: precision))
    } else if var explicit = context {
      explicit.precision = recorded?.precision ?? .float32
      explicit.bfloat16Kernel = recorded?.bfloat16Kernel ?? .automatic
      context = explicit
    }
    let precision = context?.precision ?? recorded?.precision ?? .float32
    let model = try reportingErrors { try LlamaModel.load(from: location, precision: precision) }
    let tokenizer = try reportingErrors { try TokenizerLoader.load(model: location) }
    let c = model.configuration
    let points = try reportingErrors { try HookPoint.parseList(hooks, layerCount: c.layerCount) }
    let rowBytes = points.map { $0 == .logits ? c.vocabularySize : c.hiddenSize }.reduce(0, +) * dtype.dtype.byteCount
    let options = ExtractionOptions(
      hooks: points, context: windows.context, bos: windows.bos, skipFirst: windows.skipFirst,
      batchTokens: windows.batchTokens,
      shardTokens: shardTokens ?? ExtractionOptions.defaultShardTokens(rowBytes: rowBytes),
      maxTokens: windows.maxTokens,
      sampleRate: sampleRate, seed: seed, dtype: dtype.dtype, fileFormat: format)
    let sharding = try shardArguments.resolve(environment: ProcessInfo.processInfo.environment)
    let part = sharding?.part
    let extractor = try mappingErrors {
      try Extractor(
        model: model, modelPath: location.requestedURL, tokenizer: tokenizer, corpusPaths: corpusArguments.corpus,
        corpusOptions: corpusArguments.options, options: options, output: output, resume: resume,
        context: context, repair: repair, part: part)
    }
    warnAboutSkippedPaths(extractor.skippedCorpusPaths)
    if let shard = extractor.repairedFromShard {
      FileHandle.standardError.write(
        Data("repairing: \(shard) was damaged; extracting it and the shards after it again\n".utf8))
    }
    let directory = part?.directory(in: output) ?? output
    if let (part, source) = sharding {
      let origin = [.flag: "--shard", .slurm: "SLURM_ARRAY_TASK_ID", .kubernetes: "JOB_COMPLETION_INDEX"][source]!
      FileHandle.standardError.write(Data("part \(part) (from \(origin)) → \(directory.path)\n".utf8))
    }
    var meter = ProgressMeter()
    let start = Date()
    let signals = SignalCancellation(stopping: "extraction")
    defer { signals.stop() }
    let manifest = try mappingErrors { try extractor.run(cancellation: signals.cancellation) { meter.update($0) } }
    meter.finish()
    let seconds = Date().timeIntervalSince(start)
    let thisRun = meter.lastTokensThisRun
    print(
      "extracted \(manifest.totalTokens) tokens × \(manifest.hooks.count) hooks into \(manifest.shards.count) shards at \(directory.path)"
        + " (\(thisRun) this run in \(String(format: "%.1f", seconds)) s, \(String(format: "%.0f", Double(thisRun) / max(seconds, 1e-9))) tok/s;"
        + " \(manifest.counters.documentsUsed) documents used of \(manifest.counters.documentsRead) read;"
        + " \(manifest.counters.badInputSkipped) bad documents skipped)")
  }

  /// Runs `body`, rewording extraction errors in terms of this command's flags.
  private func mappingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
      return try body()
    } catch let error as ExtractionError {
      switch error {
      case .invalidOption(let option):
        throw ValidationError("\(Self.flag(option.option)) \(option.reason)")
      case .invalidContext(let problem):
        throw ValidationError("--threads: \(problem)")
      case .batchTooLarge(let estimated, let available, let perToken, let option):
        let other = ExtractionError.batchTooLarge(
          estimatedBytes: estimated, availableBytes: available, bytesPerToken: perToken, option: option)
        throw ValidationError(
          other.description.replacingOccurrences(of: "\(option.rawValue):", with: "\(Self.flag(option)):"))
      case .damagedShard(let directory, let shard, let problem, let repairable):
        let hint =
          repairable
          ? "add --repair to extract \(shard) and the shards after it again (the same rows)"
          : "this manifest does not record where \(shard) starts: extract again into another --out"
        throw CommandError("\(directory.path): cannot resume: \(shard) is damaged (\(problem)); \(hint)")
      case .cancelled(_, let reason, _, _):
        FileHandle.standardError.write(
          Data(
            "\(error.description.replacingOccurrences(of: "; resume to continue", with: "")); continue with:\n  \(commandLine(adding: "--resume"))\n"
              .utf8))
        throw ExitCode(SignalCancellation.exitStatus(reason))
      case .invalidPart:
        throw ValidationError("--shard: \(error.description)")
      case .outputExists(let directory):
        throw CommandError(
          "\(directory.path) already holds an extraction (manifest.json); add --resume to continue it, or choose another --out"
        )
      case .nothingToResume(let directory):
        throw CommandError("\(directory.path): nothing to resume (no manifest.json); run without --resume")
      case .resumeMismatch(let directory, let field, let recorded, let requested):
        let hint = field == .compute ? " (omit --threads, --precision and --bf16-kernel to reuse the recorded ones)" : ""
        throw CommandError(
          "\(directory.path): cannot resume: \(field.rawValue) was \(recorded) but is now \(requested); use the same options\(hint) or another --out"
        )
      default:
        throw CommandError(error.description)
      }
    } catch {
      return try reportingErrors { throw error }
    }
  }
}

/// One warning line on stderr for corpus directory entries that were not read.
func warnAboutSkippedPaths(_ skipped: [SkippedCorpusPath]) {
  guard !skipped.isEmpty else { return }
  let shown = skipped.prefix(3).map(\.description).joined(separator: "; ")
  let more = skipped.count > 3 ? "; and \(skipped.count - 3) more" : ""
  FileHandle.standardError.write(
    Data("warning: skipped \(skipped.count) corpus entr\(skipped.count == 1 ? "y" : "ies"): \(shown)\(more)\n".utf8))
}

/// Progress on stderr (tokens/s, done of total, ETA), only when stderr is a terminal.
struct ProgressMeter {
  let enabled = isatty(2) == 1
  var lastPrint = Date.distantPast
  var lastTokensThisRun = 0

  mutating func update(_ p: ExtractionProgress) {
    lastTokensThisRun = p.tokensThisRun
    guard enabled, Date().timeIntervalSince(lastPrint) >= 0.5 else { return }
    lastPrint = Date()
    let rate = Double(p.tokensThisRun) / max(p.seconds, 1e-9)
    var line = "\r\(p.tokens.formatted()) tokens"
    if let target = p.target {
      let remaining = Double(target - p.tokens) / max(rate, 1e-9)
      line +=
        " of \(target.formatted()) (\(String(format: "%.1f", 100 * Double(p.tokens) / Double(target)))%), ETA \(formatDuration(remaining))"
    }
    line += " · \(String(format: "%.0f", rate)) tok/s · \(p.documents) docs · \(p.shards) shards   "
    FileHandle.standardError.write(Data(line.utf8))
  }

  func finish() {
    if enabled && lastPrint != .distantPast { FileHandle.standardError.write(Data("\n".utf8)) }
  }
}

func formatDuration(_ seconds: Double) -> String {
  guard seconds.isFinite else { return "?" }
  let s = Int(seconds.rounded())
  return s >= 3600
    ? "\(s / 3600)h\(String(format: "%02d", s / 60 % 60))m"
    : s >= 60 ? "\(s / 60)m\(String(format: "%02d", s % 60))s" : "\(s)s"
}
