import Corpora
import Foundation
import TestSupport
import Testing

/// The path of a committed fixture in `Tests/CorporaTests/Resources`.
func fixture(_ name: String) -> String { Fixtures.resource(name, in: "CorporaTests").path }

/// Reads every document of `corpus`.
func readAll(_ corpus: Corpus) throws(CorpusError) -> [Document] {
  var documents: [Document] = []
  while let document = try corpus.next() { documents.append(document) }
  return documents
}

/// Reads every document text of `paths` with `options`.
func texts(_ paths: [String], _ options: CorpusOptions = CorpusOptions()) throws(CorpusError) -> [String] {
  try readAll(Corpus(paths: paths, options: options)).map(\.text)
}

/// The ``CorpusError`` `body` throws, or `nil` (recording an issue for any other error).
func corpusError(_ body: () throws -> Void) -> CorpusError? {
  do {
    try body()
    return nil
  } catch let error as CorpusError {
    return error
  } catch {
    Issue.record("unexpected error \(error)")
    return nil
  }
}
