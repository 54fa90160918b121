import Corpora
import Foundation
import TestSupport
import Testing

@Suite struct CompressedAndArchiveTests {
  @Test(arguments: ["sample.txt.gz", "sample.txt.zst", "sample.txt.xz", "sample.txt.bz2"])
  func compressedTextReadsLikePlainText(name: String) throws {
    let path = fixture(name)
    let documents = try readAll(Corpus(path: path))
    #expect(
      documents.map(\.text) == [
        "The first line.", "The second line.", "A new paragraph starts here", "and ends here.",
      ])
    #expect(documents.map(\.source.byteOffset) == [0, 16, 34, 62])
    #expect(documents.allSatisfy { $0.source.member == nil })
    let paragraphs = try texts([path], CorpusOptions(format: .text(.paragraph)))
    #expect(paragraphs.count == 2)
  }

  @Test(arguments: ["docs.tar.gz", "docs.zip"])
  func archiveMembersAreReadInOrderWithTheirOwnFormat(name: String) throws {
    let corpus = try Corpus(path: fixture(name))
    let documents = try readAll(corpus)
    #expect(documents.map(\.text) == ["alpha one", "alpha two", "beta json", "gamma"])
    #expect(
      documents.map(\.source.member) == [
        "docs/a.txt", "docs/a.txt", "docs/b.jsonl", "docs/sub/c.txt",
      ])
    #expect(documents.map(\.source.line) == [1, 2, 1, 1])
    #expect(corpus.statistics.membersRead == 3)
    #expect(corpus.statistics.filesOpened == 1)
    #expect(corpus.statistics.bytesRead == 48)
  }

  @Test func forcedFormatAppliesToEveryMember() throws {
    let options = CorpusOptions(format: .text(.file))
    #expect(
      try texts([fixture("docs.tar.gz")], options) == [
        "alpha one\nalpha two", "{\"text\": \"beta json\"}", "gamma",
      ])
  }

  @Test func directoryIsReadRecursivelyInSortedOrder() throws {
    let folder = try ScratchDirectory()
    try folder.write("b/2.txt", "b2")
    try folder.write("a.txt", "a")
    try folder.write("b/1.txt", "b1")
    try folder.write("b/c/0.jsonl", #"{"text": "bc0"}"#)
    try folder.write(".hidden.txt", "hidden")
    try folder.write("c.txt.gz", bytes: Array(try Data(contentsOf: URL(fileURLWithPath: fixture("sample.txt.gz")))))
    let corpus = try Corpus(path: folder.url.path)
    #expect(
      corpus.files.map { String($0.dropFirst(folder.url.path.count + 1)) } == [
        "a.txt", "b/1.txt", "b/2.txt", "b/c/0.jsonl", "c.txt.gz",
      ])
    let documents = try readAll(corpus)
    #expect(documents.prefix(4).map(\.text) == ["a", "b1", "b2", "bc0"])
    #expect(documents.count == 8)
  }

  @Test func globAndSeveralPaths() throws {
    let folder = try ScratchDirectory()
    try folder.write("x2.txt", "two")
    try folder.write("x1.txt", "one")
    try folder.write("y.txt", "why")
    try folder.write("notes.md", "notes")
    #expect(try texts([folder.path("x*.txt")]) == ["one", "two"])
    #expect(
      try texts([folder.path("y.txt"), folder.path("x?.txt"), folder.path("notes.md")]) == [
        "why", "one", "two", "notes",
      ])
  }
}
