/// A resumable position in a ``Corpus``: the next document to read.
///
/// A position names the file (index into ``Corpus/files``), the archive member
/// within it (0 for a plain or compressed single file), and how many documents
/// of that member were already returned. Resuming re-reads the member and
/// drops that many documents, so it is deterministic as long as the files and
/// ``CorpusOptions`` are unchanged.
public struct CorpusPosition: Sendable, Hashable, Codable, CustomStringConvertible {
  /// The index of the file in ``Corpus/files``.
  public var fileIndex: Int
  /// The index of the regular-file member within the archive (0 if not an archive).
  public var memberIndex: Int
  /// The number of documents of that member already returned.
  public var documentIndex: Int

  /// The very beginning of a corpus.
  public static let start = CorpusPosition(fileIndex: 0, memberIndex: 0, documentIndex: 0)

  /// Creates a position.
  /// - Parameters:
  ///   - fileIndex: The index of the file in ``Corpus/files``.
  ///   - memberIndex: The index of the member within the file.
  ///   - documentIndex: The documents of that member already returned.
  public init(fileIndex: Int, memberIndex: Int, documentIndex: Int) {
    self.fileIndex = fileIndex
    self.memberIndex = memberIndex
    self.documentIndex = documentIndex
  }

  /// `file F, member M, document D`.
  public var description: String {
    "file \(fileIndex), member \(memberIndex), document \(documentIndex)"
  }
}
