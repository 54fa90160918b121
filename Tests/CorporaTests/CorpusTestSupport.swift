import Corpora
import Foundation
import Testing

/// A fresh temporary folder for one test, removed when the value goes away.
final class TemporaryFolder {
  let url: URL

  init() throws {
    url = FileManager.default.temporaryDirectory
      .appendingPathComponent("corpora-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  deinit {
    try? FileManager.default.removeItem(at: url)
  }

  /// Writes `bytes` to `name` (creating folders) and returns the path.
  @discardableResult
  func write(_ name: String, bytes: [UInt8]) throws -> String {
    let file = url.appendingPathComponent(name)
    try FileManager.default.createDirectory(
      at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(bytes).write(to: file)
    return file.path
  }

  /// Writes UTF-8 `text` to `name` and returns the path.
  @discardableResult
  func write(_ name: String, _ text: String) throws -> String {
    try write(name, bytes: Array(text.utf8))
  }

  func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

/// The path of a committed fixture in Tests/CorporaTests/Resources.
func fixture(_ name: String) throws -> String {
  let url = try #require(
    Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Resources"),
    "missing fixture Resources/\(name)")
  return url.path
}

/// The repository root, found from this file's path.
func repositoryRoot(filePath: String = #filePath) -> URL {
  URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
}

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
