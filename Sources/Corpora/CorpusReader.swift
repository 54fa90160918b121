/// A source of documents, read one at a time in a deterministic order.
///
/// ``Corpus`` is the concrete reader over files, directories, globs and
/// archives; conform other sources (for example an HTTP stream) to this
/// protocol so the extraction pipeline can consume them unchanged.
public protocol CorpusReader {
  /// Returns the next document, or `nil` at the end of the corpus.
  /// - Throws: ``CorpusError`` for bad input under ``BadInputPolicy/fail``,
  ///   for unreadable or damaged files, and for an empty corpus.
  mutating func next() throws(CorpusError) -> Document?
}

extension CorpusReader {
  /// Reads documents until `limit` have been returned or the corpus ends.
  /// - Parameter limit: The maximum number of documents to return.
  /// - Returns: Up to `limit` documents in corpus order.
  /// - Throws: Whatever ``next()`` throws.
  public mutating func read(upTo limit: Int) throws(CorpusError) -> [Document] {
    var documents: [Document] = []
    while documents.count < limit, let document = try next() {
      documents.append(document)
    }
    return documents
  }
}
