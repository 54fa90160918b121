/// An in-context-learning classification task: labelled examples and the template that writes
/// them into prompts.
///
/// On disk a task is a pair of files in one directory: `<name>.jsonl` (one example per line)
/// and `<name>.template.json` (an ``ICLTemplate``). The StaICC tasks ship in `corpora/icl/`
/// (`sst2`, `rotten_tomatoes`, `financial_phrasebank`, …); see `corpora/icl/README.md`.
public struct ICLTask: Sendable, Equatable {
  /// The task's name (its files' stem: `sst2`).
  public let name: String
  /// How prompts are written.
  public let template: ICLTemplate
  /// The examples, in file order; prompts refer to them by index.
  public let examples: [ICLExample]

  /// A task built in memory.
  ///
  /// - Throws: ``ICLError/emptyTask(path:)`` without examples, and
  ///   ``ICLError/labelOutOfRange(path:line:label:labelCount:)`` (path: the name; line: the
  ///   1-based example number) for a label that is not an index into the template's labels.
  public init(name: String, template: ICLTemplate, examples: [ICLExample]) throws(ICLError) {
    guard !examples.isEmpty else { throw .emptyTask(path: name) }
    if let index = examples.firstIndex(where: { !template.labels.indices.contains($0.label) }) {
      throw .labelOutOfRange(
        path: name, line: index + 1, label: examples[index].label, labelCount: template.labels.count)
    }
    self.init(checkedName: name, template: template, examples: examples)
  }

  /// A task whose examples the caller has already checked against the template.
  init(checkedName name: String, template: ICLTemplate, examples: [ICLExample]) {
    self.name = name
    self.template = template
    self.examples = examples
  }

  /// The directory of the shipped tasks, relative to a checkout or the working directory.
  public static let defaultDirectoryName = "corpora/icl"
  /// The environment variable that names a directory of tasks searched before the defaults.
  public static let environmentVariable = "BAE_ICL_DIR"
  /// The file-name ending of a task's examples.
  public static let examplesSuffix = ".jsonl"
  /// The file-name ending of a task's template.
  public static let templateSuffix = ".template.json"
  /// The largest examples file accepted: 64 MiB.
  public static let maximumFileSize = 64 << 20
  /// The longest line of an examples file accepted: 1 MiB.
  public static let maximumLineLength = 1 << 20
  /// The largest template file accepted: 1 MiB.
  public static let maximumTemplateSize = 1 << 20
}
