import ArgumentParser
import Checkpoints
import Corpora
import FeatureSets
import Foundation
import HookPoints
import Models
import Plots
import Studies
import Tokenizers

/// `bae positions`: how the entropy of hidden states changes with token position, layer by layer.
struct PositionsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "positions",
    abstract: "Entropy of hidden states grouped by token position (one BAE per position group and layer).",
    discussion: """
      Reads --documents documents of the corpus and keeps each one's first window of --context \
      tokens (BOS as --bos says), so position p is a document's p-th token. By default only \
      documents reaching the last studied position are used (--min-tokens), so every position \
      reads the same documents; --min-tokens 1 lets short documents add their states to the \
      positions they reach. The model runs once per document; for every --positions group (a \
      position, or a range such as 8-15) and every --layers layer (--hook site), the states at \
      those positions form one set, at most --rows-per-group of them (a seeded sample beyond), \
      and one BAE per set estimates its entropy (--seeds fits give the spread). A group with \
      fewer than 2 states is an error, not a gap in the plot.

      --out DIR writes positions.csv, positions.json and positions.svg (entropy against position, \
      one line per layer).
      """)

  @OptionGroup var modelArguments: ModelArguments
  @OptionGroup var corpusArguments: CorpusArguments
  @Option(name: .long, help: "Documents used (each contributes its first window).") var documents = 256
  @Option(name: .long, help: "Window length: tokens read from the start of each document, BOS included.")
  var context = 64
  @Option(name: .long, help: "BOS at the start of each window: auto (as the tokenizer does), on, off.")
  var bos = BOSPolicy.auto
  @Option(name: .long, help: "Position groups: single positions or ranges, e.g. 0,1,2,4,8-15.")
  var positions: PositionList?
  @Option(
    name: .long,
    help: "Skip documents whose first window is shorter (default: the last studied position + 1).")
  var minTokens: Int?
  @Option(name: .long, help: "States per group at most (a seeded sample beyond).") var rowsPerGroup = 256
  @Option(name: .long, help: "Seed of that sample.") var seed: UInt64 = 0
  @Option(name: .long, help: "Hook site read at every layer (resid_post, mlp_out, …).") var hook = HookSite.residualPost
  @Option(name: .long, help: "Layers: all, or a list such as 0,4,8-12.") var layers = LayerList(argument: "all")!
  @Option(name: .long, help: "Tokens per forward batch.") var batchTokens = 4096
  @OptionGroup(title: "Fitting") var fit: EntropyFitArguments
  @Option(
    name: .long, help: ArgumentHelp("Write positions.csv, positions.json and positions.svg here.", valueName: "dir"))
  var out: String?
  @Flag(name: .long, help: "Print the result as one JSON object.") var json = false

  func validate() throws {
    guard !corpusArguments.corpus.isEmpty else { throw ValidationError("give --corpus PATH…") }
    guard hook.isPerLayer else { throw ValidationError("--hook must be a per-layer site (resid_post, mlp_out, …)") }
    do {
      try options.validate()
    } catch {
      throw ValidationError(Self.flagNames(error.description))
    }
  }

  /// The study's options from the flags.
  var options: PositionStudyOptions {
    var o = PositionStudyOptions()
    o.groups = positions?.groups
    o.context = context
    o.bos = bos
    o.documents = documents
    o.minTokens = minTokens
    o.rowsPerGroup = rowsPerGroup
    o.seed = seed
    o.site = hook
    o.layers = layers.layers
    o.fit = fit.settings(base: .smallSets)
    o.fitSeeds = fit.seedList
    o.batchTokens = batchTokens
    return o
  }

  /// A library message with option keys spelled as this command's flags.
  static func flagNames(_ message: String) -> String {
    var text = message
    for (key, flag) in [
      ("option rows_per_group", "--rows-per-group"), ("option batch_tokens", "--batch-tokens"),
      ("option min_tokens", "--min-tokens"), ("option documents", "--documents"), ("option context", "--context"),
      ("min_tokens", "--min-tokens"),
    ] {
      text = text.replacingOccurrences(of: key, with: flag)
    }
    return text
  }

  func run() throws {
    let context = modelArguments.context
    let location = try modelArguments.resolvedLocation()
    let model = try reportingErrors { try LlamaModel.load(from: location) }
    let tokenizer = try reportingErrors { try TokenizerLoader.load(model: location) }
    let study = PositionStudy(
      model: model, modelName: location.requestedURL.lastPathComponent, tokenizer: tokenizer, options: options)
    _ = try reportingErrors { try study.points() }
    let output = out.map { URL(fileURLWithPath: $0) }
    if let output {
      try reportingErrors { try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true) }
    }

    let meter = StudyMeter()
    let result = try reportingErrors {
      do {
        var corpus = try Corpus(paths: corpusArguments.corpus, options: corpusArguments.options)
        let documents = try study.documents(from: &corpus) { meter.update($0) }
        return try study.run(
          documents: documents, corpus: corpusArguments.corpus, corpusOptions: corpusArguments.options,
          context: context
        ) { meter.update($0) }
      } catch let error as PositionStudyError {
        meter.finish()
        let message = Self.flagNames(error.description)
        if isOptionError(error) { throw ValidationError(message) }
        throw CommandError(message)
      }
    }
    meter.finish()
    if let output { try Self.write(result, to: output) }
    if json {
      print(String(decoding: try StudyJSON.encode(result), as: UTF8.self))
    } else {
      print(Self.summary(result))
      if let output { print("wrote \(output.path)/positions.csv, positions.json, positions.svg") }
    }
  }

  static func write(_ r: PositionStudyResult, to output: URL) throws {
    let last = Dictionary(uniqueKeysWithValues: r.groups.map { ($0.first, $0.last) })
    let table = r.trace.table(groupColumn: "position", extra: [("last_position", { "\(last[$0.group]!)" })])
    let corpus = r.corpus.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: ", ")
    var chart = r.trace.byGroup(
      title: "\(r.model) · \(corpus): \(r.options.site.rawValue) by position", groupAxis: Axis("token position"))
    chart.width = 760
    try reportingErrors {
      try table.write(to: output.appendingPathComponent("positions.csv"))
      try AtomicFile.write(try StudyJSON.encode(r), to: output.appendingPathComponent("positions.json"))
      try AtomicFile.write(Data(chart.svg().utf8), to: output.appendingPathComponent("positions.svg"))
    }
  }

  /// Entropy per layer (rows) and position group (columns), then the states per group.
  static func summary(_ r: PositionStudyResult) -> String {
    let groups = r.groups
    let spread = r.options.fitSeeds.count > 1
    let width = max(spread ? 13 : 8, (groups.map(\.description.count).max() ?? 0) + 2)
    var lines = [
      "\(r.model): estimated entropy (bits) of \(r.options.site.rawValue) by token position, "
        + "\(r.documentsUsed) documents (of \(r.documentsRead) read)"
    ]
    lines.append("layer " + groups.map { pad($0.description, width) }.joined())
    for l in Array(Set(r.trace.cells.map(\.layer))).sorted() {
      var line = pad("\(l)", 6, left: false)
      for g in groups {
        guard let c = r.trace.cells.first(where: { $0.layer == l && $0.group == g.first }) else { continue }
        let text =
          String(format: "%.1f", c.entropy.meanBits) + (spread ? String(format: "±%.1f", c.entropy.stdBits) : "")
        line += pad(text, width)
      }
      lines.append(line)
    }
    let rows = groups.map { g in r.trace.cells.first { $0.group == g.first }?.rows ?? 0 }
    lines.append(pad("rows", 6, left: false) + rows.map { pad("\($0)", width) }.joined())
    lines.append(
      "read \(String(format: "%.1f", r.readSeconds)) s, forward \(String(format: "%.1f", r.forwardSeconds)) s, "
        + "fits \(String(format: "%.1f", r.fitSeconds)) s")
    return lines.joined(separator: "\n")
  }
}
