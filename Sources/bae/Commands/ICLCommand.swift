import ArgumentParser
import Autoencoders
import Checkpoints
import Foundation
import HookPoints
import Models
import Studies
import TensorCore
import Tokenizers

/// `bae icl`: how the entropy of the last prompt token's state changes with in-context
/// demonstrations, layer by layer.
struct ICLCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "icl",
    abstract: "Entropy of the last prompt token's hidden state over layers as demonstrations are added (ICL).",
    discussion: """
      For each k, --prompts prompts with k demonstrations sampled per prompt (seeded), ending at the
      task's label prefix (no trailing space). The model runs once per prompt; the last token's state
      at every --layers layer (--hook site) is kept. The entropy of each (layer, k) set is estimated
      with BAEs: one fitted per set (--estimator per-set, the reference's way), one per layer fitted
      on all k pooled (pooled), or BAEs you trained (given, with --ae-dir holding one directory per
      hook as bae train --hook resid_post:all writes). --seeds fits per set give the spread.
      Accuracy per k compares the logits of each label word's first token.
      Writes OUT/trace.csv, trace.json, trace.svg and prompts.jsonl.
      Tasks live in corpora/icl (or $BAE_ICL_DIR); --task also takes a path to your own
      NAME.jsonl with NAME.template.json beside it.
      """)

  @Option(name: .long, help: "Task name (sst2, rotten_tomatoes, …) or path to a task .jsonl.") var task: String
  @Option(name: .long, help: "Demonstration counts.") var k = IntegerList([0, 1, 2, 4, 8])
  @Option(name: .long, help: "Prompts per k.") var prompts = 64
  @Option(name: .long, help: "Seed of demonstrations and queries.") var seed: UInt64 = 42
  @Option(name: .long, help: "Hook site read at every layer (resid_post, mlp_out, …).") var hook = HookSite.residualPost
  @Option(name: .long, help: "Layers: all, or a list such as 0,4,8-12.") var layers = LayerList(argument: "all")!
  @Option(name: .long, help: "per-set (default), pooled or given.") var estimator = ICLEstimator.perSet
  @Option(name: .long, help: ArgumentHelp("With --estimator given: BAE directories per hook.", valueName: "dir"))
  var aeDir: String?
  @Option(name: .long, help: "Tokens per forward batch.") var batchTokens = 4096
  @OptionGroup var modelArguments: ModelArguments
  @OptionGroup(title: "Fitting") var fit: EntropyFitArguments
  @Option(name: .long, help: ArgumentHelp("Output directory.", valueName: "dir")) var out: String
  @Flag(name: .long, help: "Print the result as one JSON object.") var json = false

  func validate() throws {
    guard (1...100_000).contains(prompts) else { throw ValidationError("--prompts must be in 1...100000") }
    guard !k.values.isEmpty, Set(k.values).count == k.values.count else {
      throw ValidationError("--k takes distinct non-negative counts, e.g. 0,1,2,4,8")
    }
    guard hook.isPerLayer else { throw ValidationError("--hook must be a per-layer site (resid_post, mlp_out, …)") }
    if (estimator == .given) != (aeDir != nil) {
      throw ValidationError("--ae-dir goes with --estimator given, and only with it")
    }
    guard batchTokens >= 1 else { throw ValidationError("--batch-tokens must be at least 1") }
  }

  func run() throws {
    let context = modelArguments.context
    let location = try modelArguments.resolvedLocation()
    let model = try reportingErrors { try LlamaModel.load(from: location) }
    let tokenizer = try reportingErrors { try TokenizerLoader.load(model: location) }
    let icl = try reportingErrors { try Self.loadTask(task) }

    var options = ICLStudyOptions()
    options.ks = k.values
    options.promptsPerK = prompts
    options.seed = seed
    options.site = hook
    options.layers = layers.layers
    options.estimator = estimator
    options.fit = fit.settings(base: .smallSets)
    options.fitSeeds = fit.seedList
    options.batchTokens = batchTokens
    let study = ICLStudy(
      model: model, modelName: location.requestedURL.lastPathComponent, tokenizer: tokenizer, task: icl,
      options: options)
    let studied = try reportingErrors { try study.points() }
    var autoencoders: [Int: Autoencoder] = [:]
    if let aeDir {
      for (l, point) in studied {
        var directory = URL(fileURLWithPath: aeDir).appendingPathComponent(point.name)
        if studied.count == 1, !FileManager.default.fileExists(atPath: directory.path) {
          directory = URL(fileURLWithPath: aeDir)
        }
        autoencoders[l] = try reportingErrors { try AutoencoderFiles.load(from: directory).0 }
      }
    }
    let all = try reportingErrors { try study.prompts() }
    let output = URL(fileURLWithPath: out)
    try reportingErrors { try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true) }
    try Self.writePrompts(all, to: output.appendingPathComponent("prompts.jsonl"))

    let meter = StudyMeter()
    let result = try reportingErrors {
      try study.run(prompts: all, autoencoders: autoencoders, context: context) { meter.update($0) }
    }
    meter.finish()
    try Self.write(result, to: output)
    if json {
      print(String(decoding: try StudyJSON.encode(result), as: UTF8.self))
    } else {
      print(Self.summary(result))
      print("wrote \(output.path)/trace.csv, trace.json, trace.svg, prompts.jsonl")
    }
  }

  /// The task named `name` (or the `.jsonl` at that path).
  static func loadTask(_ name: String) throws -> ICLTask {
    if name.hasSuffix(ICLTask.examplesSuffix) || name.contains("/") {
      return try ICLTask.load(jsonl: URL(fileURLWithPath: name))
    }
    return try ICLTask.load(name: name, searchDirectories: taskDirectories)
  }

  /// `$BAE_ICL_DIR`, then `corpora/icl` under the current directory and the checkout the
  /// executable was built in.
  static var taskDirectories: [URL] {
    var directories: [URL] = []
    if let env = ProcessInfo.processInfo.environment[ICLTask.environmentVariable] {
      directories.append(URL(fileURLWithPath: env))
    }
    for root in ModelPathArguments.searchRoots {
      let d = root.appendingPathComponent(ICLTask.defaultDirectoryName)
      if FileManager.default.fileExists(atPath: d.path), !directories.contains(d) { directories.append(d) }
    }
    return directories
  }

  static func writePrompts(_ prompts: [ICLPrompt], to url: URL) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    var data = Data()
    for p in prompts {
      data.append(try encoder.encode(p))
      data.append(0x0A)
    }
    try reportingErrors { try AtomicFile.write(data, to: url) }
  }

  static func write(_ r: ICLStudyResult, to output: URL) throws {
    let accuracy = Dictionary(uniqueKeysWithValues: r.accuracy.map { ($0.k, $0.accuracy) })
    let table = r.trace.table(groupColumn: "k", extra: [("accuracy", { CSVTable.number(accuracy[$0.group]) })])
    let chart = r.trace.byLayer(title: "\(r.model) · \(r.task): last-token entropy over layers") { "k = \($0)" }
    try reportingErrors {
      try table.write(to: output.appendingPathComponent("trace.csv"))
      try AtomicFile.write(try StudyJSON.encode(r), to: output.appendingPathComponent("trace.json"))
      try AtomicFile.write(Data(chart.svg().utf8), to: output.appendingPathComponent("trace.svg"))
    }
  }

  /// Entropy per layer (rows) and k (columns), then accuracy per k.
  static func summary(_ r: ICLStudyResult) -> String {
    let ks = r.options.ks
    let spread = r.options.fitSeeds.count > 1
    var lines = ["\(r.task) on \(r.model): estimated entropy (bits) of the last prompt token's \(r.options.site.rawValue)"]
    lines.append("layer " + ks.map { pad("k=\($0)", spread ? 13 : 8) }.joined())
    let layers = Array(Set(r.trace.cells.map(\.layer))).sorted()
    for l in layers {
      var line = pad("\(l)", 6, left: false)
      for k in ks {
        guard let c = r.trace.cells.first(where: { $0.layer == l && $0.group == k }) else { continue }
        let text = String(format: "%.1f", c.entropy.meanBits) + (spread ? String(format: "±%.1f", c.entropy.stdBits) : "")
        line += pad(text, spread ? 13 : 8)
      }
      lines.append(line)
    }
    lines.append(
      "accuracy " + r.accuracy.map { "k=\($0.k): \(String(format: "%.2f", $0.accuracy))" }.joined(separator: "  "))
    lines.append(
      "forward \(String(format: "%.1f", r.forwardSeconds)) s, fits \(String(format: "%.1f", r.fitSeconds)) s")
    return lines.joined(separator: "\n")
  }
}

/// `text` padded with spaces to `width` (right-aligned unless `left` is false).
func pad(_ text: String, _ width: Int, left: Bool = true) -> String {
  let fill = String(repeating: " ", count: max(0, width - text.count))
  return left ? fill + text : text + fill
}
