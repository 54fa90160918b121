/// Why a document or file was skipped under ``BadInputPolicy/skip``.
public enum BadInputReason: String, Sendable, Hashable, CaseIterable, Codable {
  /// The bytes were not valid UTF-8.
  case invalidUTF8
  /// A JSON line did not parse, or was not an object.
  case malformedJSON
  /// The JSON field or CSV column was missing, or not text.
  case missingField
  /// A CSV record had an unterminated quote or stray characters after one.
  case malformedCSV
  /// libarchive reported an error mid-file (truncated or corrupt data);
  /// the rest of the file was dropped.
  case damagedFile
  /// The file could not be opened or its format was not recognised.
  case unreadableFile
  /// A record was longer than ``CorpusOptions/maxRecordBytes``.
  case recordTooLong
}

/// Counters for a run summary; see ``Corpus/statistics``.
public struct CorpusStatistics: Sendable, Hashable, Codable {
  /// Documents returned by ``Corpus/next()``.
  public var documentsRead: Int = 0
  /// Documents or files skipped, by reason (only under ``BadInputPolicy/skip``).
  public var skipped: [BadInputReason: Int] = [:]
  /// Documents dropped by ``CorpusOptions/include``.
  public var filtered: Int = 0
  /// Records whose text was empty (or only white space), dropped silently.
  public var emptyDocuments: Int = 0
  /// Decompressed bytes read from all files.
  public var bytesRead: UInt64 = 0
  /// Files opened.
  public var filesOpened: Int = 0
  /// Archive members (or single files) read.
  public var membersRead: Int = 0

  /// Creates zeroed counters.
  public init() {}

  /// The total number of skipped documents and files.
  public var skippedTotal: Int { skipped.values.reduce(0, +) }
}
