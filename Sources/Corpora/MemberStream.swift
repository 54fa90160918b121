/// The lines of one file or archive member, with its name for error reports.
struct MemberStream {
  let input: ArchiveInput
  let member: String?
  private var lines: LineReader

  /// The lines of `member` of `input`, each kept only up to `lineLimit` bytes
  /// (see ``LineReader``).
  init(input: ArchiveInput, member: String?, lineLimit: Int) {
    self.input = input
    self.member = member
    self.lines = LineReader(limit: lineLimit)
  }

  /// The longest record kept, in bytes.
  var recordLimit: Int { lines.limit }

  /// The next line, or `nil` at the end of the member.
  mutating func nextLine() throws(ArchiveFailure) -> Line? {
    try lines.next(from: input)
  }

  /// The location of `line` as record `recordIndex`.
  func source(of line: Line, record recordIndex: Int) -> DocumentSource {
    DocumentSource(
      path: input.path, member: member, line: line.number, recordIndex: recordIndex,
      byteOffset: line.offset)
  }

  /// Where reading stopped: the start of the line not yet returned.
  func currentSource(record recordIndex: Int) -> DocumentSource {
    DocumentSource(
      path: input.path, member: member, line: lines.nextNumber, recordIndex: recordIndex,
      byteOffset: lines.nextOffset)
  }
}

/// What a decoder makes of the next record of a member.
enum DecodedRecord {
  /// A document (its text may be blank; the corpus drops blank ones).
  case document(text: String, metadata: [String: String], source: DocumentSource)
  /// A bad record; reading can go on with the next one.
  case bad(CorpusError)
  /// A bad member (for example a CSV header without the column); the rest of
  /// the member is unusable.
  case badMember(CorpusError)
}

/// Turns the lines of a member into records, for one concrete ``CorpusFormat``.
enum RecordDecoder {
  case text(PlainTextDecoder)
  case jsonl(JSONLinesDecoder)
  case csv(CSVDecoder)

  /// A decoder for `format` (which must not be ``CorpusFormat/auto``).
  init(format: CorpusFormat, memberName: String, options: CorpusOptions) {
    switch format.resolved(forName: memberName, options: options) {
    case .text(let mode):
      self = .text(PlainTextDecoder(mode: mode))
    case .jsonl(let field):
      self = .jsonl(JSONLinesDecoder(field: field, metadataFields: options.allMetadataFields))
    case .csv(let column, let delimiter, let hasHeader):
      let byName: UInt8 = CorpusFormat.fileExtension(of: memberName) == "tsv" ? 0x09 : 0x2C
      self = .csv(CSVDecoder(column: column, delimiter: delimiter ?? byName, hasHeader: hasHeader))
    case .auto:
      // `resolved` never returns `.auto`.
      self = .text(PlainTextDecoder(mode: options.textMode))
    }
  }

  /// The number of records started so far.
  var recordCount: Int {
    switch self {
    case .text(let decoder): decoder.recordCount
    case .jsonl(let decoder): decoder.recordCount
    case .csv(let decoder): decoder.recordCount
    }
  }

  /// The next record of `stream`, or `nil` at the end of the member.
  mutating func next(_ stream: inout MemberStream) throws(ArchiveFailure) -> DecodedRecord? {
    switch self {
    case .text(var decoder):
      defer { self = .text(decoder) }
      return try decoder.next(&stream)
    case .jsonl(var decoder):
      defer { self = .jsonl(decoder) }
      return try decoder.next(&stream)
    case .csv(var decoder):
      defer { self = .csv(decoder) }
      return try decoder.next(&stream)
    }
  }
}
