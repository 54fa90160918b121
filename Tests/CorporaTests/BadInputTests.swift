import Corpora
import Foundation
import TestSupport
import Testing

@Suite struct BadInputTests {
  /// The first `fraction` of a committed fixture, written to a temporary file.
  func truncated(_ name: String, fraction: Double, in folder: ScratchDirectory) throws -> String {
    let bytes = try Data(contentsOf: URL(fileURLWithPath: fixture(name)))
    return try folder.write(name, bytes: Array(bytes.prefix(Int(Double(bytes.count) * fraction))))
  }

  @Test(arguments: ["long.txt.zst", "long.txt.gz"], [0.1, 0.5, 0.9])
  func truncatedCompressedFileNamesTheFile(name: String, fraction: Double) throws {
    let folder = try ScratchDirectory()
    let path = try truncated(name, fraction: fraction, in: folder)
    let error = corpusError { _ = try texts([path]) }
    switch error {
    case .damagedFile(let source, _)?:
      #expect(source.path == path)
      #expect(source.line > 1)
    case .unreadableFile(let errorPath, _)?:
      #expect(errorPath == path)
    default:
      Issue.record("expected a damaged or unreadable file, got \(String(describing: error))")
    }
    #expect(error?.description.contains(path) == true)

    let good = try folder.write("good.txt", "after\n")
    let corpus = try Corpus(paths: [path, good], options: CorpusOptions(policy: .skip))
    let documents = try readAll(corpus)
    #expect(documents.last?.text == "after")
    #expect(documents.dropLast().allSatisfy { $0.text.hasPrefix("Line ") })
    #expect(corpus.statistics.skippedTotal == 1)
  }

  @Test func invalidUTF8IsSkippedAndCountedOrThrownWithFileAndLine() throws {
    let folder = try ScratchDirectory()
    let bytes = Array("good one\n".utf8) + [0x62, 0x61, 0x64, 0xFF, 0xFE, 0x0A] + Array("good two\n".utf8)
    let path = try folder.write("mixed.txt", bytes: bytes)

    let error = corpusError { _ = try texts([path], CorpusOptions(policy: .fail)) }
    #expect(error == .invalidUTF8(at: DocumentSource(path: path, line: 2, recordIndex: 1, byteOffset: 9)))
    #expect(error?.description.contains("\(path):2") == true)

    let corpus = try Corpus(path: path, options: CorpusOptions(policy: .skip))
    #expect(try readAll(corpus).map(\.text) == ["good one", "good two"])
    #expect(corpus.statistics.skipped == [.invalidUTF8: 1])
    #expect(corpus.statistics.documentsRead == 2)
    #expect(corpus.statistics.bytesRead == UInt64(bytes.count))
  }

  @Test func invalidUTF8InAParagraphDropsTheParagraph() throws {
    let folder = try ScratchDirectory()
    let bytes = Array("p1\n\np2 a\np2 ".utf8) + [0xC3] + Array("\n\np3\n".utf8)
    let path = try folder.write("p.txt", bytes: bytes)
    let options = CorpusOptions(format: .text(.paragraph), policy: .skip)
    #expect(try texts([path], options) == ["p1", "p3"])
    let error = corpusError { _ = try texts([path], CorpusOptions(format: .text(.paragraph))) }
    #expect(error == .invalidUTF8(at: DocumentSource(path: path, line: 4, recordIndex: 1, byteOffset: 9)))
  }

  @Test func brokenJSONLineAndMissingField() throws {
    let folder = try ScratchDirectory()
    let path = try folder.write(
      "bad.jsonl",
      """
      {"text": "ok 1"}
      {"text": "broken
      [1, 2]
      {"body": "no text field"}
      {"text": 42}
      {"text": "ok 2"}

      """)
    let error = corpusError { _ = try texts([path]) }
    guard case .malformedJSON(let source, _)? = error else {
      Issue.record("expected malformedJSON, got \(String(describing: error))")
      return
    }
    #expect(source.path == path && source.line == 2)

    let corpus = try Corpus(path: path, options: CorpusOptions(policy: .skip))
    #expect(try readAll(corpus).map(\.text) == ["ok 1", "ok 2"])
    #expect(corpus.statistics.skipped == [.malformedJSON: 2, .missingField: 2])

    let missing = corpusError {
      _ = try texts([path], CorpusOptions(format: .jsonl(field: "body")))
    }
    #expect(missing == .missingField(field: "body", at: DocumentSource(path: path, line: 1)))
  }

  @Test func emptyCorpusIsAnError() throws {
    let folder = try ScratchDirectory()
    let empty = try folder.write("empty.txt", "")
    let blank = try folder.write("blank.txt", "\n  \n\n")
    #expect(corpusError { _ = try texts([empty, blank]) } == .emptyCorpus(paths: [empty, blank]))
    let directory = folder.path("nothing")
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    #expect(corpusError { _ = try texts([directory]) } == .emptyCorpus(paths: [directory]))
  }

  @Test func everythingFilteredOutIsAnEmptyCorpus() throws {
    let folder = try ScratchDirectory()
    let path = try folder.write("p.jsonl", #"{"text": "a", "meta": {"pile_set_name": "ArXiv"}}"#)
    let options = CorpusOptions(include: [Document.pileSetNameKey: ["Github"]])
    #expect(corpusError { _ = try texts([path], options) } == .emptyCorpus(paths: [path]))
  }

  @Test func nonexistentPathsAreReportedAtOpen() throws {
    let folder = try ScratchDirectory()
    let missing = folder.path("missing.txt")
    #expect(corpusError { _ = try Corpus(path: missing) } == .pathNotFound(path: missing))
    let noMatch = folder.path("*.nothing")
    #expect(corpusError { _ = try Corpus(path: noMatch) } == .pathNotFound(path: noMatch))
    #expect(CorpusError.pathNotFound(path: missing).description.contains(missing))
  }

  @Test func unreadableFileIsSkippedOrThrown() throws {
    let folder = try ScratchDirectory()
    let locked = try folder.write("locked.txt", "secret\n")
    let open = try folder.write("open.txt", "open\n")
    try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: locked)
    defer { try? FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: locked) }
    // root can read anything; only check when the permission bites.
    guard FileManager.default.isReadableFile(atPath: locked) == false else { return }
    let error = corpusError { _ = try texts([locked, open]) }
    guard case .unreadableFile(let path, _)? = error else {
      Issue.record("expected unreadableFile, got \(String(describing: error))")
      return
    }
    #expect(path == locked)
    let corpus = try Corpus(paths: [locked, open], options: CorpusOptions(policy: .skip))
    #expect(try readAll(corpus).map(\.text) == ["open"])
    #expect(corpus.statistics.skipped == [.unreadableFile: 1])
  }
}
