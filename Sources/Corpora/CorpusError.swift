import JSONSupport

/// Errors from reading a corpus; each says what happened, where, and what to do.
public enum CorpusError: Error, Sendable, Hashable, CustomStringConvertible {
  /// A corpus path (file, directory or glob) matched nothing.
  case pathNotFound(path: String)
  /// A file could not be opened, or libarchive did not recognise it.
  case unreadableFile(path: String, message: String)
  /// libarchive failed while decompressing (truncated or corrupt data).
  case damagedFile(at: DocumentSource, message: String)
  /// A record's bytes were not valid UTF-8.
  case invalidUTF8(at: DocumentSource)
  /// A JSON line did not parse, or was not an object.
  case malformedJSON(at: DocumentSource, message: String)
  /// The JSON field (dotted path) or CSV column was missing or not text.
  case missingField(field: String, at: DocumentSource)
  /// A CSV record was malformed (unterminated quote, text after a closing quote).
  case malformedCSV(at: DocumentSource, message: String)
  /// A record (a line, a JSON line, a CSV record, a paragraph or a whole file) is longer than
  /// ``CorpusOptions/maxRecordBytes``; its bytes were read and dropped, never held.
  case recordTooLong(at: DocumentSource, bytes: UInt64, limit: Int)
  /// The paths held no documents at all.
  case emptyCorpus(paths: [String])
  /// The paths held no usable documents: everything was bad input, skipped.
  case onlyBadInput(paths: [String], skipped: Int, first: String)
  /// A resume position does not exist in this corpus.
  case invalidPosition(CorpusPosition, reason: String)

  /// The skip counter this error falls under, or `nil` if it is never skipped.
  public var reason: BadInputReason? {
    switch self {
    case .invalidUTF8: .invalidUTF8
    case .malformedJSON: .malformedJSON
    case .missingField: .missingField
    case .malformedCSV: .malformedCSV
    case .damagedFile: .damagedFile
    case .unreadableFile: .unreadableFile
    case .recordTooLong: .recordTooLong
    case .pathNotFound, .emptyCorpus, .onlyBadInput, .invalidPosition: nil
    }
  }

  /// The message, one bounded line: paths, member names and reasons come from files, so the
  /// whole text is cut and escaped (``UntrustedText``).
  public var description: String { UntrustedText.describe(unescapedDescription, limit: 2000) }

  /// The message before escaping: a message with the place and a hint.
  private var unescapedDescription: String {
    let skipHint = "or read with the skip bad-input policy to drop it and count it"
    switch self {
    case .pathNotFound(let path):
      return "\(path): no such file, directory or glob match. Check the corpus path."
    case .unreadableFile(let path, let message):
      return "\(path): cannot read (\(message)). Check that the file exists, is readable "
        + "and is plain text, JSON Lines, CSV, gzip/zstd/xz/bzip2/lz4, tar or zip; \(skipHint)."
    case .damagedFile(let source, let message):
      return "\(source) (byte \(source.byteOffset)): the file is damaged or truncated (\(message)). "
        + "Download or decompress it again; \(skipHint) (the rest of the file is dropped)."
    case .invalidUTF8(let source):
      return "\(source) (record \(source.recordIndex), byte \(source.byteOffset)): invalid UTF-8. "
        + "Re-encode the file as UTF-8 (for example with iconv); \(skipHint)."
    case .malformedJSON(let source, let message):
      return "\(source) (record \(source.recordIndex)): not a JSON object (\(message)). "
        + "Each line of a JSON Lines file must be one JSON object; \(skipHint)."
    case .missingField(let field, let source):
      return "\(source) (record \(source.recordIndex)): no text field \(field). "
        + "Choose the field or column that holds the text; \(skipHint)."
    case .malformedCSV(let source, let message):
      return "\(source) (record \(source.recordIndex)): malformed CSV (\(message)). "
        + "Quote fields with \" and double inner quotes (RFC 4180); \(skipHint)."
    case .recordTooLong(let source, let bytes, let limit):
      return "\(source) (record \(source.recordIndex), byte \(source.byteOffset)): the record has \(bytes) bytes, "
        + "more than the record size limit of \(limit) bytes (kept so memory stays bounded). "
        + "Raise the limit if the machine has the memory, check the format (a file without newlines?); \(skipHint)."
    case .emptyCorpus(let paths):
      return "\(paths.joined(separator: ", ")): the corpus holds no documents. "
        + "Check the paths, the format and the include filter."
    case .onlyBadInput(let paths, let skipped, let first):
      return "\(paths.joined(separator: ", ")): the corpus holds no usable documents: "
        + "\(skipped) bad input\(skipped == 1 ? " was" : "s were") skipped, the first: \(first)"
    case .invalidPosition(let position, let reason):
      return "cannot resume at \(position): \(reason). Resume only with the same files and options."
    }
  }
}
