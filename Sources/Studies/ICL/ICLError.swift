import JSONSupport

/// Errors from loading an in-context-learning task or building its prompts; each says what
/// happened, where (file, line, key), and what to do.
///
/// `path` is the file as it was named. For a task built in memory (``ICLTask/init(name:template:examples:)``)
/// `path` is the task's name and `line` the 1-based number of the example.
public enum ICLError: Error, Sendable, Equatable, CustomStringConvertible {
  /// No directory searched holds `<name>.jsonl` with `<name>.template.json`.
  case unknownTask(name: String, available: [String], searched: [String])
  /// A task's examples were found without their template (or the template without examples).
  case incompleteTask(name: String, found: String, missing: String)
  /// A file could not be opened or read.
  case unreadableFile(path: String, reason: String)
  /// A file is larger than the reader accepts (bytes).
  case fileTooLarge(path: String, limit: Int)
  /// A JSON Lines line is longer than the reader accepts (bytes).
  case lineTooLong(path: String, line: Int, limit: Int)
  /// A JSON Lines line is not an object with a string `text` and an integer `label`.
  case malformedLine(path: String, line: Int, reason: String)
  /// A line's `label` is not an index into the template's label words.
  case labelOutOfRange(path: String, line: Int, label: Int, labelCount: Int)
  /// The task has no examples.
  case emptyTask(path: String)
  /// The template file is not valid JSON, or a field has the wrong type or is missing.
  case malformedTemplate(path: String, reason: String)
  /// The template has a key the format does not define (a typo, usually).
  case unknownTemplateKey(path: String, key: String, suggestion: String?)
  /// The template's values cannot make prompts (fewer than two labels, an empty label prefix…).
  case invalidTemplate(path: String, reason: String)
  /// A prompt with `k` demonstrations needs `k + 1` distinct examples and the task has fewer.
  case notEnoughExamples(task: String, k: Int, available: Int)
  /// The number of demonstrations is negative.
  case negativeDemonstrationCount(k: Int)
  /// The number of prompts asked for is less than one.
  case invalidPromptCount(count: Int)
  /// An example index given to the builder is not in the task, or is repeated.
  case invalidExampleIndex(task: String, index: Int, count: Int)

  /// A message with the place and a hint.
  /// Text from files and flags (paths, names, keys) as it may appear in a message.
  private func t(_ text: String) -> String { UntrustedText.describe(text, limit: 400) }

  public var description: String {
    switch self {
    case .unknownTask(let name, let available, let searched):
      let list = available.isEmpty ? "none" : available.map(t).joined(separator: ", ")
      let directories = searched.isEmpty ? "no directories" : searched.map(t).joined(separator: ", ")
      return "no ICL task named '\(t(name))' (searched \(directories)). Available tasks: \(list). "
        + "A task is a pair <name>.jsonl + <name>.template.json (see corpora/icl/README.md)."
    case .incompleteTask(let name, let found, let missing):
      return "ICL task '\(t(name))': found \(t(found)) but not \(t(missing)). A task needs both files, side by side."
    case .unreadableFile(let path, let reason):
      return "\(t(path)): cannot read (\(t(reason))). Check that the file exists and is readable."
    case .fileTooLarge(let path, let limit):
      return "\(t(path)): larger than \(limit) bytes, the most an ICL task file may hold. Keep a few thousand examples."
    case .lineTooLong(let path, let line, let limit):
      return "\(t(path)):\(line): the line is longer than \(limit) bytes. Each line holds one example: shorten its text."
    case .malformedLine(let path, let line, let reason):
      return "\(t(path)):\(line): \(t(reason)). Each line must be a JSON object {\"text\": \"…\", \"label\": <integer>}."
    case .labelOutOfRange(let path, let line, let label, let labelCount):
      return "\(t(path)):\(line): label \(label) is not an index into the template's \(labelCount) label words "
        + "(expected 0..<\(labelCount)). Labels are 0-based indices into the template's `labels`."
    case .emptyTask(let path):
      return "\(t(path)): the task holds no examples. Add one JSON object per line."
    case .malformedTemplate(let path, let reason):
      return "\(t(path)): not a valid ICL template (\(t(reason))). See corpora/icl/README.md for the format."
    case .unknownTemplateKey(let path, let key, let suggestion):
      let hint = suggestion.map { "; did you mean '\(t($0))'?" } ?? ""
      return "\(t(path)): unknown key '\(t(key))' in the ICL template\(hint) "
        + "Known keys: \(ICLTemplate.knownKeys.joined(separator: ", "))."
    case .invalidTemplate(let path, let reason):
      return "\(t(path)): \(t(reason))."
    case .notEnoughExamples(let task, let k, let available):
      return "task '\(t(task))': a prompt with k = \(k) demonstrations needs \(k + 1) distinct examples "
        + "(k demonstrations and the query), and the task has \(available). Use k ≤ \(max(available - 1, 0))."
    case .negativeDemonstrationCount(let k):
      return "k = \(k): the number of demonstrations must be 0 or more."
    case .invalidPromptCount(let count):
      return "\(count) prompts: ask for at least one prompt per k."
    case .invalidExampleIndex(let task, let index, let count):
      return "task '\(t(task))': example index \(index) is out of range (0..<\(count)) or used twice in one prompt."
    }
  }
}
