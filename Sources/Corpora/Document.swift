/// One document read from a corpus: a line, a paragraph, a JSON record, a CSV
/// row or a whole file, depending on the ``CorpusFormat``.
public struct Document: Sendable, Hashable {
  /// The metadata key under which a Pile record's `meta.pile_set_name` is kept.
  public static let pileSetNameKey = "meta.pile_set_name"

  /// The document's text, valid UTF-8, without its trailing line terminator.
  public var text: String
  /// Where the document started: file, archive member, line, record, byte.
  public var source: DocumentSource
  /// Metadata copied from the record, keyed by dotted JSON path
  /// (for example `meta.pile_set_name`); empty for plain text and CSV.
  public var metadata: [String: String]
  /// The position just after this document: a ``Corpus`` created with
  /// `resumingAt:` this value continues with the next document.
  /// `nil` for documents not produced by a ``Corpus``.
  public var resumePosition: CorpusPosition?

  /// Creates a document.
  /// - Parameters:
  ///   - text: The document's text.
  ///   - source: Where it started.
  ///   - metadata: Record metadata keyed by dotted path.
  ///   - resumePosition: The position just after it, if known.
  public init(
    text: String, source: DocumentSource, metadata: [String: String] = [:],
    resumePosition: CorpusPosition? = nil
  ) {
    self.text = text
    self.source = source
    self.metadata = metadata
    self.resumePosition = resumePosition
  }

  /// The Pile subset name (`meta.pile_set_name`), if the record had one.
  public var pileSetName: String? { metadata[Self.pileSetNameKey] }
}

/// Where a document (or a bad record) starts in the corpus.
public struct DocumentSource: Sendable, Hashable, CustomStringConvertible {
  /// The file path as resolved from the corpus paths.
  public var path: String
  /// The archive member name (tar, zip), or `nil` for a plain or
  /// compressed single file.
  public var member: String?
  /// The 1-based line number in the decompressed stream where it starts.
  public var line: Int
  /// The 0-based index of the record within its file or member, counting
  /// every record (lines, paragraphs, JSON lines, CSV rows), bad ones included.
  public var recordIndex: Int
  /// The byte offset where it starts in the decompressed stream.
  public var byteOffset: UInt64

  /// Creates a source location.
  /// - Parameters:
  ///   - path: The file path.
  ///   - member: The archive member name, if any.
  ///   - line: The 1-based line number.
  ///   - recordIndex: The 0-based record index in the file or member.
  ///   - byteOffset: The byte offset in the decompressed stream.
  public init(
    path: String, member: String? = nil, line: Int, recordIndex: Int = 0,
    byteOffset: UInt64 = 0
  ) {
    self.path = path
    self.member = member
    self.line = line
    self.recordIndex = recordIndex
    self.byteOffset = byteOffset
  }

  /// `path[member]:line`, the form used in error messages.
  public var description: String {
    var text = path
    if let member { text += "[\(member)]" }
    return text + ":\(line)"
  }
}
