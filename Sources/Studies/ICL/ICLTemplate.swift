import Foundation

/// How a classification task's prompts are written: StaICC's prompt form, read from a
/// `<task>.template.json` file.
///
/// A prompt with demonstrations d₁…d_k and query q is
///
/// ```
/// instruction
/// + for each dᵢ: inputPrefix + dᵢ.text + inputSuffix + labelPrefix + labels[dᵢ.label] + labelSuffix
/// + queryPrefix + inputPrefix + q.text + inputSuffix + labelPrefix (trailing whitespace removed)
/// ```
///
/// so for SST-2 (`sentence: `, ` `, `sentiment: `, `\n`; its texts end with a space):
/// `sentence: TEXT  sentiment: positive\n…sentence: QUERY  sentiment:`.
/// This is StaICC 0.1.1's `prompt_writter.write_prompt_from_dataline` (direct form; StaICC
/// calls the suffixes "affixes"), ending as the BAE reference code ends it: on the label
/// prefix without its trailing space, so the last token is the prefix's ":".
///
/// JSON keys (snake case): `instruction` (default `""`), `input_prefix` (required),
/// `input_suffix` (default `" "`), `label_prefix` (required), `label_suffix` (default `"\n"`),
/// `query_prefix` (default `""`), `labels` (required, at least two distinct non-empty words),
/// `source` and `license` (optional notes). Any other key is refused.
public struct ICLTemplate: Sendable, Equatable {
  /// Text before the first demonstration.
  public var instruction: String
  /// Text before each input text (`"sentence: "`).
  public var inputPrefix: String
  /// Text after each input text, before the label prefix (`" "`).
  public var inputSuffix: String
  /// Text before each label word (`"sentiment: "`); the prompt ends with it, trailing whitespace removed.
  public var labelPrefix: String
  /// Text after each demonstration's label word (`"\n"`).
  public var labelSuffix: String
  /// Text before the query's input prefix.
  public var queryPrefix: String
  /// The label words; an example's label is an index into them.
  public var labels: [String]
  /// Where the data come from (free text, for people).
  public var source: String?
  /// The data's licence (free text, for people).
  public var license: String?

  /// A template, validated.
  ///
  /// - Throws: ``ICLError/invalidTemplate(path:reason:)`` (with `path` "template") when there are
  ///   fewer than two labels, a label word is empty or repeated, or the label prefix is blank.
  public init(
    instruction: String = "", inputPrefix: String, inputSuffix: String = " ", labelPrefix: String,
    labelSuffix: String = "\n", queryPrefix: String = "", labels: [String], source: String? = nil,
    license: String? = nil
  ) throws(ICLError) {
    self.instruction = instruction
    self.inputPrefix = inputPrefix
    self.inputSuffix = inputSuffix
    self.labelPrefix = labelPrefix
    self.labelSuffix = labelSuffix
    self.queryPrefix = queryPrefix
    self.labels = labels
    self.source = source
    self.license = license
    if let reason = problem { throw .invalidTemplate(path: "template", reason: reason) }
  }

  /// Why these values cannot make prompts, or `nil` when they can.
  var problem: String? {
    if labels.count < 2 { return "`labels` has \(labels.count) label word(s); a classification task needs at least 2" }
    if let index = labels.firstIndex(where: { $0.isEmpty }) { return "`labels[\(index)]` is empty" }
    if let index = labels.indices.first(where: { labels[..<$0].contains(labels[$0]) }) {
      return "`labels[\(index)]` repeats the label word '\(labels[index])'; label words must be distinct"
    }
    if labelPrefix.allSatisfy(\.isWhitespace) {
      return "`label_prefix` is empty or blank; prompts end with it (for example \"sentiment: \")"
    }
    return nil
  }
}

extension ICLTemplate: Codable {
  enum CodingKeys: String, CodingKey, CaseIterable {
    case instruction
    case inputPrefix = "input_prefix"
    case inputSuffix = "input_suffix"
    case labelPrefix = "label_prefix"
    case labelSuffix = "label_suffix"
    case queryPrefix = "query_prefix"
    case labels, source, license
  }

  /// The keys a template file may hold.
  public static let knownKeys = CodingKeys.allCases.map(\.rawValue)

  /// `userInfo` key whose `String` value names the file being decoded, for error messages.
  public static let fileUserInfoKey = CodingUserInfoKey(rawValue: "bae.icl.templateFile")!

  /// Decodes and validates a template.
  ///
  /// - Throws: ``ICLError/unknownTemplateKey(path:key:suggestion:)`` for a key the format does
  ///   not define, ``ICLError/invalidTemplate(path:reason:)`` for unusable values, and
  ///   `DecodingError` for missing fields and wrong types.
  public init(from decoder: any Decoder) throws {
    let path = decoder.userInfo[Self.fileUserInfoKey] as? String ?? "template"
    let all = try decoder.container(keyedBy: AnyKey.self)
    for key in all.allKeys.map(\.stringValue).sorted() where !Self.knownKeys.contains(key) {
      throw ICLError.unknownTemplateKey(path: path, key: key, suggestion: Self.closestKnownKey(to: key))
    }
    let c = try decoder.container(keyedBy: CodingKeys.self)
    instruction = try c.decodeIfPresent(String.self, forKey: .instruction) ?? ""
    inputPrefix = try c.decode(String.self, forKey: .inputPrefix)
    inputSuffix = try c.decodeIfPresent(String.self, forKey: .inputSuffix) ?? " "
    labelPrefix = try c.decode(String.self, forKey: .labelPrefix)
    labelSuffix = try c.decodeIfPresent(String.self, forKey: .labelSuffix) ?? "\n"
    queryPrefix = try c.decodeIfPresent(String.self, forKey: .queryPrefix) ?? ""
    labels = try c.decode([String].self, forKey: .labels)
    source = try c.decodeIfPresent(String.self, forKey: .source)
    license = try c.decodeIfPresent(String.self, forKey: .license)
    if let reason = problem { throw ICLError.invalidTemplate(path: path, reason: reason) }
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(instruction, forKey: .instruction)
    try c.encode(inputPrefix, forKey: .inputPrefix)
    try c.encode(inputSuffix, forKey: .inputSuffix)
    try c.encode(labelPrefix, forKey: .labelPrefix)
    try c.encode(labelSuffix, forKey: .labelSuffix)
    try c.encode(queryPrefix, forKey: .queryPrefix)
    try c.encode(labels, forKey: .labels)
    try c.encodeIfPresent(source, forKey: .source)
    try c.encodeIfPresent(license, forKey: .license)
  }

  /// The known key nearest to `key` by edit distance, when it is a plausible typo (≤ 3 edits).
  static func closestKnownKey(to key: String) -> String? {
    let scored = knownKeys.map { ($0, editDistance($0, key)) }
    guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= 3 else { return nil }
    return best.0
  }

  /// Levenshtein distance, case-insensitive.
  private static func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.lowercased())
    let b = Array(b.lowercased())
    if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
    var previous = Array(0...b.count)
    for i in 1...a.count {
      var current = [i] + Array(repeating: 0, count: b.count)
      for j in 1...b.count {
        current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
      }
      previous = current
    }
    return previous[b.count]
  }

  /// Any key, to list the keys an object holds.
  private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }
}
