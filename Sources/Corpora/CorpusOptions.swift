/// What to do with a bad document (invalid UTF-8, broken JSON, missing field)
/// or a damaged file.
public enum BadInputPolicy: String, Sendable, Hashable, CaseIterable, Codable {
  /// Drop the bad document (or the rest of a damaged file), count it under
  /// ``CorpusStatistics/skipped``, and go on.
  case skip
  /// Throw the ``CorpusError`` at once.
  case fail
}

/// How a ``Corpus`` reads its files.
public struct CorpusOptions: Sendable, Hashable {
  /// The record format; ``CorpusFormat/auto`` picks one per file name.
  public var format: CorpusFormat
  /// The document mode used when ``CorpusFormat/auto`` picks plain text.
  public var textMode: DocumentMode
  /// The JSON field (dotted path) used when ``CorpusFormat/auto`` picks JSON Lines.
  public var jsonField: String
  /// The CSV column used when ``CorpusFormat/auto`` picks CSV/TSV.
  public var csvColumn: CSVColumn
  /// Dotted JSON paths copied into ``Document/metadata`` when present
  /// (strings as they are, numbers and booleans as JSON text).
  public var metadataFields: [String]
  /// Keep only documents whose metadata value at each key is in the set
  /// (for example `["meta.pile_set_name": ["Gutenberg (PG-19)"]]`); a document
  /// without the key is dropped. Keys are added to ``metadataFields`` implicitly.
  public var include: [String: Set<String>]
  /// What to do with bad input.
  public var policy: BadInputPolicy
  /// The size of each read from libarchive, in bytes.
  public var chunkSize: Int
  /// The longest record kept, in bytes (a line, a JSON line, a CSV record, a paragraph, or a
  /// whole file in file mode). A longer record is bad input (``CorpusError/recordTooLong(at:bytes:limit:)``):
  /// its bytes are read and dropped, never held, so memory stays bounded whatever the file.
  public var maxRecordBytes: Int

  /// The default ``maxRecordBytes``: 16 MiB, beyond the longest documents of the Pile's
  /// usual subsets; raise it for corpora of longer single documents.
  public static let defaultMaxRecordBytes = 16 << 20

  /// Creates options.
  /// - Parameters:
  ///   - format: The record format (default ``CorpusFormat/auto``).
  ///   - textMode: The mode for plain text under `.auto` (default ``DocumentMode/line``).
  ///   - jsonField: The JSON text field under `.auto` (default `text`).
  ///   - csvColumn: The CSV text column under `.auto` (default `"text"`).
  ///   - metadataFields: Dotted JSON paths to keep (default `meta.pile_set_name`).
  ///   - include: Metadata include filters (default none).
  ///   - policy: The bad-input policy (default ``BadInputPolicy/fail``).
  ///   - chunkSize: The read size in bytes (default 64 KiB; at least 1).
  ///   - maxRecordBytes: The longest record kept (default ``defaultMaxRecordBytes``; at least 1).
  public init(
    format: CorpusFormat = .auto, textMode: DocumentMode = .line, jsonField: String = "text",
    csvColumn: CSVColumn = .name("text"), metadataFields: [String] = [Document.pileSetNameKey],
    include: [String: Set<String>] = [:], policy: BadInputPolicy = .fail,
    chunkSize: Int = 64 * 1024, maxRecordBytes: Int = CorpusOptions.defaultMaxRecordBytes
  ) {
    self.maxRecordBytes = max(1, maxRecordBytes)
    self.format = format
    self.textMode = textMode
    self.jsonField = jsonField
    self.csvColumn = csvColumn
    self.metadataFields = metadataFields
    self.include = include
    self.policy = policy
    self.chunkSize = chunkSize
  }

  /// ``metadataFields`` plus the keys of ``include``, sorted, without duplicates.
  var allMetadataFields: [String] {
    Array(Set(metadataFields).union(include.keys)).sorted()
  }
}
