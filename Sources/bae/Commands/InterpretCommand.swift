import ArgumentParser
import Autoencoders
import Corpora
import FeatureSets
import Foundation
import HookPoints
import Interpret
import Models
import Tokenizers

/// `bae interpret`: activation records of an autoencoder's features over a corpus, then ComSem
/// explanations and scores from an LLM judge.
struct InterpretCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "interpret",
    abstract: "Explain an autoencoder's features with an LLM judge (activation records, then ComSem).",
    discussion: """
      Records: the first --samples texts of the corpus are tokenised one at a time (BOS at \
      position 0 as --bos says, at most --context tokens), run through the model, and every \
      token's hidden state at --hook is encoded by --ae. Each token's --top-k features by score \
      get a record (token, position, sentence, score), in corpus order; equal scores go to the \
      lower feature. Scores: a BAE's minority-state score log2(|h − p| + 1e-6) (p the mean bit \
      over all tokens); an SAE's or transcoder's activation, or with --standardize \
      (h − mean)/(std + 1e-6); --type random draws N(0,1) scores (seed --seed) as a chance \
      baseline. Records go to OUT/records (manifest.json, documents.jsonl, records.bin); \
      --records-only stops there, and --from-records DIR explains saved records without the model.

      ComSem: a feature with fewer than 6 records is not interpretable and costs no request. \
      Otherwise the judge names the common category of its first 5 records, then answers yes or \
      no for each of up to 8 next ones; the score is the share of answers that are exactly \
      "yes" (trimmed, any case); other answers count as no and are counted apart. Requests are \
      deterministic (temperature 0) and cached under --judge-cache, and results are appended to \
      OUT/features.jsonl batch by batch, so an interrupted run resumes where it stopped without \
      paying twice. OUT/summary.json holds the interpretable counts at scores 0.5, 0.75 and 1.0, \
      dead and dense codes, the score histogram (also OUT/score-histogram.svg) and tokens spent. \
      The API key is read from the environment variable --judge-key-env names.
      """)

  @OptionGroup var modelArguments: ModelArguments
  @OptionGroup var corpusArguments: CorpusArguments

  @Option(
    name: .long, help: ArgumentHelp("Autoencoder directory (config.json and weights.safetensors).", valueName: "dir"))
  var ae: String?
  @Option(
    name: .long,
    help:
      "Autoencoder type: bae, relu, topk, batchtopk, jumprelu, transcoder (must match --ae; default: its own), or random."
  )
  var type: InterpretType?
  @Option(
    name: .long, help: "Hook to encode, e.g. blocks.5.hook_resid_post or resid_post:5 (default: the autoencoder's).")
  var hook: String?
  @Flag(name: .long, help: "SAE/transcoder scores standardised per feature: (h − mean) / (std + 1e-6).")
  var standardize = false
  @Option(name: .long, help: "Features (for --type random without --ae).") var width: Int?
  @Option(name: .long, help: "Features recorded per token.") var topK = 10
  @Option(name: .long, help: "Texts read from the corpus.") var samples = 8192
  @Option(name: .long, help: "Longest window per text, BOS included (longer texts keep their start).")
  var context = 512
  @Option(name: .long, help: "BOS at position 0: on, auto (as the tokenizer does) or off.") var bos = BOSPolicy.on
  @Option(name: .long, help: "Tokens per forward batch.") var batchTokens = 4096
  @Option(name: .long, help: "Seed of --type random.") var seed: UInt64 = 0

  @Option(name: .long, help: ArgumentHelp("Output directory.", valueName: "dir")) var out: String
  @Flag(name: .long, help: "Stop after writing the records.") var recordsOnly = false
  @Option(
    name: .long, help: ArgumentHelp("Explain saved records (a records directory) without the model.", valueName: "dir"))
  var fromRecords: String?

  @Option(name: .long, help: "Judge: base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1.")
  var judgeUrl: String?
  @Option(name: .long, help: "Judge: model name sent with each request.") var judgeModel: String?
  @Option(name: .long, help: "Judge: environment variable holding the API key.") var judgeKeyEnv = "OPENAI_API_KEY"
  @Option(name: .long, help: "Judge: requests in flight at most.") var judgeConcurrency = 8
  @Option(name: .long, help: "Judge: seconds before a request gives up.") var judgeTimeout = 120.0
  @Option(name: .long, help: "Judge: further attempts after a 429, 5xx, timeout or lost connection (with backoff).")
  var judgeRetries = 5
  @Option(
    name: .long, help: ArgumentHelp("Judge: response cache directory (default: OUT/judge-cache).", valueName: "dir"))
  var judgeCache: String?
  @Option(name: .long, help: "Explain only features 0..<N.") var maxFeatures: Int?
  @Option(name: .long, help: "Features whose results are written together.") var batchFeatures = 16
  @Option(
    name: .long,
    help: ArgumentHelp("Prompt files to use instead of the shipped ones (same five file names).", valueName: "dir"))
  var prompts: String?
  @Option(name: .long, help: "Firing rate above which a code is dense (default: 0.1 for an SAE, 0.5 for a BAE).")
  var denseThreshold: Double?
  @Flag(name: .long, help: "Print the summary as one JSON object.") var json = false

  func validate() throws {
    if fromRecords == nil && corpusArguments.corpus.isEmpty {
      throw ValidationError("give --corpus PATH (or --from-records DIR)")
    }
    if fromRecords != nil && recordsOnly {
      throw ValidationError("--records-only and --from-records exclude each other")
    }
    if fromRecords == nil && ae == nil && !(type == .random && width != nil) {
      throw ValidationError("give --ae DIR (or --type random --width N)")
    }
    if !recordsOnly && (judgeUrl == nil || judgeModel == nil) {
      throw ValidationError("give --judge-url URL and --judge-model NAME (or --records-only)")
    }
    for (flag, value) in [
      ("--top-k", topK), ("--samples", samples), ("--context", context), ("--batch-tokens", batchTokens),
      ("--judge-concurrency", judgeConcurrency), ("--batch-features", batchFeatures),
      ("--max-features", maxFeatures ?? 1),
      ("--width", width ?? 1),
    ] where value < 1 {
      throw ValidationError("\(flag) must be at least 1, got \(value)")
    }
    guard judgeTimeout > 0 else { throw ValidationError("--judge-timeout must be positive") }
    guard (0...100).contains(judgeRetries) else { throw ValidationError("--judge-retries must be 0…100") }
    if let denseThreshold, !(0...1).contains(denseThreshold) {
      throw ValidationError("--dense-threshold must be a firing rate in 0…1, got \(denseThreshold)")
    }
    if standardize && (type == .random || type == .bae) {
      throw ValidationError("--standardize applies to SAE and transcoder activations")
    }
  }

  func run() throws {
    let start = Date()
    let output = URL(fileURLWithPath: out)
    try reportingErrors { try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true) }
    let meter = InterpretMeter()
    let records: ActivationRecords
    if let fromRecords {
      records = try reportingErrors { try ActivationRecords.read(from: URL(fileURLWithPath: fromRecords)) }
    } else {
      records = try makeRecords(meter: meter)
      try reportingErrors { try records.write(to: output.appendingPathComponent("records")) }
    }
    if recordsOnly {
      let m = records.manifest
      let explainable = records.records.filter { $0.count >= 6 }.count
      if json {
        print(String(decoding: try JSONEncoder().encode(m), as: UTF8.self))
      } else {
        print(
          "records of \(m.codeWidth) features (\(m.type), \(m.scoring.rawValue)) over \(m.tokens.formatted()) tokens of "
            + "\(m.documents.formatted()) documents: \(explainable) features have at least 6 records; "
            + "wrote \(output.path)/records in \(String(format: "%.1f", m.seconds)) s")
      }
      return
    }

    let promptSet = try reportingErrors {
      try prompts.map { try PromptSet.load(from: URL(fileURLWithPath: $0)) } ?? PromptSet.bundled()
    }
    var options = ComSemOptions(judgeModel: judgeModel!)
    options.maxFeatures = maxFeatures
    options.batchFeatures = batchFeatures
    let comSem = try reportingErrors { try ComSem(prompts: promptSet, options: options) }
    let judge = try JudgeFactory.make(
      JudgeSettings(
        url: judgeUrl!, model: judgeModel!, keyEnvironmentVariable: judgeKeyEnv, concurrency: judgeConcurrency,
        timeout: judgeTimeout, retries: judgeRetries,
        cache: judgeCache.map { URL(fileURLWithPath: $0) } ?? output.appendingPathComponent("judge-cache")))
    let outcome = try reportingErrors {
      try runBlocking { try await comSem.run(records: records, judge: judge, directory: output) { meter.update($0) } }
    }
    meter.finish()
    let binary = Architecture(rawValue: records.manifest.type)?.isBinary ?? false
    let summary = ComSemSummary(
      results: outcome.results, records: records,
      activity: records.manifest.hasActivity ? CodeActivity(binary: binary, denseThreshold: denseThreshold) : nil,
      judgeModel: judgeModel!, seconds: Date().timeIntervalSince(start), requests: outcome.requests,
      cached: outcome.cached)
    try reportingErrors { try summary.write(to: output) }
    if json {
      var data = try reportingErrors { try summary.json() }
      data.removeAll { $0 == 0x0A }
      print(String(decoding: data, as: UTF8.self))
    } else {
      print(Self.text(summary, output: output))
    }
  }

  /// Runs the model over the corpus (or only the tokenizer, for `random`).
  func makeRecords(meter: InterpretMeter) throws -> ActivationRecords {
    let location = try modelArguments.resolvedLocation()
    let tokenizer = try reportingErrors { try TokenizerLoader.load(model: location) }
    let autoencoder = try ae.map { path in
      try reportingErrors { try AutoencoderFiles.load(from: URL(fileURLWithPath: path)).0 }
    }
    let architecture = autoencoder?.configuration.architecture
    let kind = type ?? architecture.map { InterpretType(rawValue: $0.rawValue)! } ?? .random
    if kind != .random, let architecture, kind.rawValue != architecture.rawValue {
      throw CommandError("--type \(kind.rawValue) does not match the autoencoder in \(ae!), a \(architecture.rawValue)")
    }
    if standardize && (kind == .bae || kind == .random) {
      throw CommandError("--standardize applies to SAE and transcoder activations, not to a \(kind.rawValue) run")
    }
    let scoring: RecordScoring =
      kind == .random ? .random : kind == .bae ? .minorityState : standardize ? .standardized : .activation
    let point: HookPoint
    if let hook {
      point = try EvalCommand.parseHook(hook)
    } else if let name = autoencoder?.configuration.inputHook {
      point = try reportingErrors { try HookPoint(name: name) }
    } else if kind == .random {
      point = .residualPost(layer: 0)
    } else {
      throw CommandError("the autoencoder in \(ae!) records no hook; give --hook")
    }
    let model = kind == .random ? nil : try reportingErrors { try LlamaModel.load(from: location) }
    var options = RecordOptions(scoring: scoring)
    options.topK = topK
    options.texts = samples
    options.context = context
    options.bos = bos
    options.batchTokens = batchTokens
    options.seed = seed
    let collector = try reportingErrors {
      try RecordCollector(
        model: model, tokenizer: tokenizer, autoencoder: kind == .random ? nil : autoencoder, point: point,
        codeWidth: kind == .random ? (width ?? autoencoder?.configuration.codeWidth) : nil, options: options)
    }
    let records = try reportingErrors {
      var corpus = try Corpus(paths: corpusArguments.corpus, options: corpusArguments.options)
      return try collector.collect(
        corpus: &corpus,
        provenance: RecordProvenance(
          model: location.requestedURL.path, corpus: corpusArguments.corpus, autoencoder: ae, type: kind.rawValue),
        context: modelArguments.context
      ) { meter.update($0) }
    }
    meter.finish()
    return records
  }

  /// The human-readable summary.
  static func text(_ s: ComSemSummary, output: URL) -> String {
    var lines = [
      "ComSem with \(s.judgeModel): \(s.features) features, \(s.explained) explained and tested, "
        + "\(s.notInterpretable) with fewer than 6 records"
    ]
    for t in s.interpretable {
      lines.append("  score ≥ \(String(format: "%.2f", t.threshold)): \(t.features) features")
    }
    if let mean = s.meanScore { lines.append("  mean score \(String(format: "%.3f", mean))") }
    lines.append("  answers \(s.answers), neither yes nor no \(s.nonYesNo)")
    if let dead = s.dead, let dense = s.dense { lines.append("  dead codes \(dead), dense codes \(dense)") }
    lines.append(
      "\(s.requests.formatted()) requests, \(s.cached.formatted()) cached, \(s.usage.totalTokens.formatted()) tokens, "
        + "\(String(format: "%.1f", s.seconds)) s; wrote \(output.path)/features.jsonl, summary.json, score-histogram.svg"
    )
    return lines.joined(separator: "\n")
  }
}

/// `--type` of `bae interpret`: an autoencoder architecture, or the random baseline.
enum InterpretType: String, CaseIterable, ExpressibleByArgument {
  case bae, relu, topk, batchtopk, jumprelu, transcoder, random
}
