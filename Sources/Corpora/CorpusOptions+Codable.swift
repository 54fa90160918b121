// How corpus options are stored in manifests and configs: plain JSON objects a person can read
// (`{"kind": "jsonl", "field": "text"}`), compared as values when a run resumes.

extension CSVColumn: Codable {
  /// A header name is stored as a string, an index as an integer.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if let index = try? container.decode(Int.self) {
      self = .index(index)
    } else {
      self = .name(try container.decode(String.self))
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .name(let name): try container.encode(name)
    case .index(let index): try container.encode(index)
    }
  }
}

extension CorpusFormat: Codable {
  private enum CodingKeys: String, CodingKey { case kind, mode, field, column, delimiter, hasHeader }

  /// The format's name: `auto`, `text`, `jsonl` or `csv`.
  public var kind: CorpusFormatKind {
    switch self {
    case .auto: .auto
    case .text: .text
    case .jsonl: .jsonl
    case .csv: .csv
    }
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    switch try c.decode(CorpusFormatKind.self, forKey: .kind) {
    case .auto: self = .auto
    case .text: self = .text(try c.decode(DocumentMode.self, forKey: .mode))
    case .jsonl: self = .jsonl(field: try c.decode(String.self, forKey: .field))
    case .csv:
      self = .csv(
        column: try c.decode(CSVColumn.self, forKey: .column),
        delimiter: try c.decodeIfPresent(UInt8.self, forKey: .delimiter),
        hasHeader: try c.decode(Bool.self, forKey: .hasHeader))
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(kind, forKey: .kind)
    switch self {
    case .auto: break
    case .text(let mode): try c.encode(mode, forKey: .mode)
    case .jsonl(let field): try c.encode(field, forKey: .field)
    case .csv(let column, let delimiter, let hasHeader):
      try c.encode(column, forKey: .column)
      try c.encodeIfPresent(delimiter, forKey: .delimiter)
      try c.encode(hasHeader, forKey: .hasHeader)
    }
  }
}

/// The name of a ``CorpusFormat`` without its settings (what a user picks).
public enum CorpusFormatKind: String, Sendable, Hashable, Codable, CaseIterable {
  /// Chosen per file from its name (see ``CorpusFormat/auto``).
  case auto
  /// Plain text.
  case text
  /// JSON Lines.
  case jsonl
  /// CSV or TSV.
  case csv
}

extension CorpusOptions: Codable, CustomStringConvertible {
  private enum CodingKeys: String, CodingKey {
    case format, textMode, jsonField, csvColumn, metadataFields, include, policy, chunkSize, maxRecordBytes
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      format: try c.decode(CorpusFormat.self, forKey: .format),
      textMode: try c.decode(DocumentMode.self, forKey: .textMode),
      jsonField: try c.decode(String.self, forKey: .jsonField),
      csvColumn: try c.decode(CSVColumn.self, forKey: .csvColumn),
      metadataFields: try c.decode([String].self, forKey: .metadataFields),
      include: try c.decode([String: [String]].self, forKey: .include).mapValues(Set.init),
      policy: try c.decode(BadInputPolicy.self, forKey: .policy), chunkSize: try c.decode(Int.self, forKey: .chunkSize),
      // Absent in manifests written before the limit existed: those runs read with the default.
      maxRecordBytes: try c.decodeIfPresent(Int.self, forKey: .maxRecordBytes) ?? CorpusOptions.defaultMaxRecordBytes)
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(format, forKey: .format)
    try c.encode(textMode, forKey: .textMode)
    try c.encode(jsonField, forKey: .jsonField)
    try c.encode(csvColumn, forKey: .csvColumn)
    try c.encode(metadataFields, forKey: .metadataFields)
    // Sets as sorted arrays, so the same options always give the same bytes.
    try c.encode(include.mapValues { $0.sorted() }, forKey: .include)
    try c.encode(policy, forKey: .policy)
    try c.encode(chunkSize, forKey: .chunkSize)
    try c.encode(maxRecordBytes, forKey: .maxRecordBytes)
  }

  /// One line: `format jsonl (field text), include meta.pile_set_name ∈ {…}, bad input: skip`.
  public var description: String {
    var parts: [String]
    switch format {
    case .auto: parts = ["format auto (text: \(textMode.rawValue), jsonl field \(jsonField), csv column \(csvColumn))"]
    case .text(let mode): parts = ["format text (\(mode.rawValue))"]
    case .jsonl(let field): parts = ["format jsonl (field \(field))"]
    case .csv(let column, _, _): parts = ["format csv (column \(column))"]
    }
    for key in include.keys.sorted() {
      parts.append("include \(key) ∈ {\(include[key]!.sorted().joined(separator: " | "))}")
    }
    if maxRecordBytes != Self.defaultMaxRecordBytes { parts.append("records up to \(maxRecordBytes) bytes") }
    parts.append("bad input: \(policy.rawValue)")
    return parts.joined(separator: ", ")
  }
}
