import Corpora
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Corpus inputs a hostile or careless user could hand `bae`: link cycles, FIFOs, text that
/// looks like an empty tar, a corpus whose only file is damaged (issue 14, items 1 and 11).
@Suite struct HostileCorpusTests {
  /// A directory with `a.txt`, `sub/b.txt`, a `self -> .` link, a link back up (`sub/up -> ..`,
  /// a cycle) and a second name for `a.txt`.
  func linkedTree() throws -> ScratchDirectory {
    let folder = try ScratchDirectory("links")
    _ = try folder.write("a.txt", "alpha\n")
    try FileManager.default.createDirectory(at: folder.url("sub"), withIntermediateDirectories: true)
    _ = try folder.write("sub/b.txt", "beta\n")
    try FileManager.default.createSymbolicLink(atPath: folder.path("self"), withDestinationPath: ".")
    try FileManager.default.createSymbolicLink(atPath: folder.path("sub/up"), withDestinationPath: "..")
    try FileManager.default.createSymbolicLink(atPath: folder.path("z-again.txt"), withDestinationPath: "a.txt")
    return folder
  }

  @Test(.timeLimit(.minutes(1)))
  func linkCyclesAndSelfLinksReadEveryFileOnce() throws {
    let folder = try linkedTree()
    let texts = try texts([folder.url.path])
    #expect(texts == ["alpha", "beta"])
  }

  @Test(.timeLimit(.minutes(1)))
  func fifoInADirectoryIsNeverOpened() throws {
    let folder = try ScratchDirectory("fifo")
    _ = try folder.write("a.txt", "alpha\n")
    #expect(mkfifo(folder.path("b-pipe"), 0o600) == 0)
    // Reading would block forever in open() if the FIFO were opened (nobody writes to it).
    #expect(try texts([folder.url.path]) == ["alpha"])
  }

  @Test func textStartingWithNULBytesIsNotAnEmptyTar() throws {
    let folder = try ScratchDirectory("nul")
    let path = try folder.write("zeros.txt", bytes: [UInt8](repeating: 0, count: 2048) + Array("hello\n".utf8))
    let error = corpusError { _ = try texts([path], CorpusOptions(policy: .fail)) }
    #expect(error != nil, "the file's text was dropped silently")
    #expect(error?.description.contains("zeros.txt") == true, "\(String(describing: error))")

    let good = try folder.write("good.txt", "after\n")
    let corpus = try Corpus(paths: [path, good], options: CorpusOptions(policy: .skip))
    #expect(try readAll(corpus).map(\.text) == ["after"])
    #expect(corpus.statistics.skippedTotal == 1)
  }

  @Test func aRealEmptyTarIsStillEmpty() throws {
    let folder = try ScratchDirectory("tar")
    let path = try folder.write("empty.tar", bytes: [UInt8](repeating: 0, count: 10240))
    let good = try folder.write("good.txt", "after\n")
    let corpus = try Corpus(paths: [path, good], options: CorpusOptions(policy: .fail))
    #expect(try readAll(corpus).map(\.text) == ["after"])
  }

  @Test func aCorpusWhoseOnlyFileIsDamagedNamesTheDamage() throws {
    let folder = try ScratchDirectory("damaged")
    let bytes = try Data(contentsOf: URL(fileURLWithPath: fixture("long.txt.gz")))
    let path = try folder.write("cut.txt.gz", bytes: Array(bytes.prefix(40)))
    let error = corpusError { _ = try texts([path], CorpusOptions(policy: .skip)) }
    let message = error?.description ?? ""
    #expect(message.contains("cut.txt.gz"), "\(message)")
    #expect(message.contains("skipped"), "\(message)")
  }
}

/// Records longer than ``CorpusOptions/maxRecordBytes`` are bad input, read without being held
/// (issue 14, item 2): a small limit and chunk size stand in for a 50 MB line or 1 GB of text
/// without a newline.
@Suite struct RecordLimitTests {
  let long = String(repeating: "word ", count: 400)  // 2,000 bytes

  func options(_ format: CorpusFormat, _ policy: BadInputPolicy) -> CorpusOptions {
    CorpusOptions(format: format, policy: policy, chunkSize: 16, maxRecordBytes: 100)
  }

  @Test(arguments: [
    (CorpusFormat.text(.line), "short one\n\(String(repeating: "word ", count: 400))\nshort two\n"),
    (
      .jsonl(field: "text"),
      "{\"text\":\"short one\"}\n{\"text\":\"\(String(repeating: "word ", count: 400))\"}\n{\"text\":\"short two\"}\n"
    ),
    (.text(.paragraph), "short one\n\n\(String(repeating: "word\n", count: 400))\nshort two\n"),
    (
      .csv(column: .name("text"), delimiter: nil, hasHeader: true),
      "text\nshort one\n\"\(String(repeating: "word\n", count: 400))\"\nshort two\n"
    ),
  ])
  func longRecordsAreSkippedOrNamed(format: CorpusFormat, contents: String) throws {
    let folder = try ScratchDirectory("limit")
    let path = try folder.write("corpus.dat", contents)
    let skipping = try Corpus(paths: [path], options: options(format, .skip))
    #expect(try readAll(skipping).map(\.text) == ["short one", "short two"])
    #expect(skipping.statistics.skipped[.recordTooLong] == 1)
    let error = corpusError { _ = try texts([path], options(format, .fail)) }
    guard case .recordTooLong(let source, let bytes, let limit)? = error else {
      Issue.record("expected recordTooLong, got \(String(describing: error))")
      return
    }
    #expect(source.path == path && limit == 100 && bytes > 100)
    #expect(error?.description.contains("corpus.dat") == true)
  }

  @Test func aFileWithoutNewlinesIsOneTooLongRecord() throws {
    let folder = try ScratchDirectory("limit")
    let path = try folder.write("one-line.txt", String(repeating: "x", count: 5000))
    let corpus = try Corpus(paths: [path, try folder.write("b.txt", "after\n")], options: options(.text(.line), .skip))
    #expect(try readAll(corpus).map(\.text) == ["after"])
    #expect(corpus.statistics.skipped[.recordTooLong] == 1)
    #expect(CorpusOptions().maxRecordBytes == 16 << 20)
  }

  @Test func theWholeFileModeHonoursTheLimit() throws {
    let folder = try ScratchDirectory("limit")
    let path = try folder.write("big.txt", String(repeating: "line\n", count: 100))
    let error = corpusError { _ = try texts([path], options(.text(.file), .fail)) }
    guard case .recordTooLong? = error else {
      Issue.record("expected recordTooLong, got \(String(describing: error))")
      return
    }
    #expect(try texts([path], CorpusOptions(format: .text(.file), policy: .fail)).count == 1)
  }

  @Test func optionsWithoutALimitDecodeToTheDefault() throws {
    var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(CorpusOptions())) as! [String: Any]
    json.removeValue(forKey: "maxRecordBytes")
    let old = try JSONDecoder().decode(CorpusOptions.self, from: JSONSerialization.data(withJSONObject: json))
    #expect(old == CorpusOptions())
  }
}
