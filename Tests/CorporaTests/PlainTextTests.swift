import Corpora
import Foundation
import TestSupport
import Testing

@Suite struct PlainTextTests {
  static let text = "The first line.\nThe second line.\n\nA new paragraph starts here\nand ends here.\n"

  @Test func lineModeGivesOneDocumentPerNonBlankLine() throws {
    let folder = try ScratchDirectory()
    let path = try folder.write("sample.txt", Self.text)
    let documents = try readAll(Corpus(path: path, options: CorpusOptions(format: .text(.line))))
    #expect(
      documents.map(\.text) == [
        "The first line.", "The second line.", "A new paragraph starts here", "and ends here.",
      ])
    #expect(documents.map(\.source.line) == [1, 2, 4, 5])
    #expect(documents.map(\.source.byteOffset) == [0, 16, 34, 62])
    #expect(documents.map(\.source.recordIndex) == [0, 1, 2, 3])
    #expect(documents.allSatisfy { $0.source.path == path && $0.source.member == nil })
  }

  @Test func paragraphModeJoinsLinesUpToABlankLine() throws {
    let folder = try ScratchDirectory()
    let path = try folder.write("sample.txt", "\n\n" + Self.text + "\n \n\nLast.")
    let documents = try readAll(
      Corpus(path: path, options: CorpusOptions(format: .text(.paragraph))))
    #expect(
      documents.map(\.text) == [
        "The first line.\nThe second line.", "A new paragraph starts here\nand ends here.", "Last.",
      ])
    #expect(documents.map(\.source.line) == [3, 6, 11])
  }

  @Test func fileModeGivesTheWholeFile() throws {
    let folder = try ScratchDirectory()
    let a = try folder.write("a.txt", Self.text)
    let b = try folder.write("b.md", "Second file.")
    let documents = try readAll(
      Corpus(paths: [a, b], options: CorpusOptions(format: .text(.file))))
    #expect(
      documents.map(\.text) == [
        "The first line.\nThe second line.\n\nA new paragraph starts here\nand ends here.",
        "Second file.",
      ])
  }

  @Test func autoFormatUsesTheTextModeOption() throws {
    let folder = try ScratchDirectory()
    let path = try folder.write("sample.txt", Self.text)
    #expect(try texts([path], CorpusOptions(textMode: .paragraph)).count == 2)
    #expect(try texts([path]).count == 4)
  }

  @Test func carriageReturnsAndByteOrderMarkAreDropped() throws {
    let folder = try ScratchDirectory()
    let path = try folder.write("crlf.txt", bytes: [0xEF, 0xBB, 0xBF] + Array("one\r\ntwo\r\n".utf8))
    #expect(try texts([path]) == ["one", "two"])
  }

  @Test(arguments: [1, 2, 3, 7, 64, 65_536])
  func chunkBoundariesDoNotChangeTheDocuments(chunkSize: Int) throws {
    let folder = try ScratchDirectory()
    var text = ""
    for index in 0..<300 { text += "Línea número \(index) — \(String(repeating: "ab", count: index % 17))\n" }
    let path = try folder.write("long.txt", text)
    let documents = try readAll(
      Corpus(path: path, options: CorpusOptions(format: .text(.line), chunkSize: chunkSize)))
    let expected = text.split(separator: "\n").map(String.init)
    #expect(documents.map(\.text) == expected)
    let offsets = documents.map(\.source.byteOffset)
    var expectedOffsets: [UInt64] = []
    var offset: UInt64 = 0
    for line in expected {
      expectedOffsets.append(offset)
      offset += UInt64(line.utf8.count + 1)
    }
    #expect(offsets == expectedOffsets)
  }

  @Test func lineWithoutFinalNewlineIsKept() throws {
    let folder = try ScratchDirectory()
    let path = try folder.write("x.txt", "a\nb")
    #expect(try texts([path]) == ["a", "b"])
  }

  @Test(arguments: [
    ("a/b.JSONL.zst", "jsonl"), ("x.tar.gz", "tar"), ("plain", ""), ("data.tsv.xz", "tsv"),
    ("books_large_p1.txt", "txt"), ("dir.d/file", ""),
  ])
  func formatExtensionIgnoresCompressionSuffixes(name: String, expected: String) {
    let format = CorpusFormat.auto.resolved(forName: name, options: CorpusOptions())
    switch expected {
    case "jsonl": #expect(format == .jsonl(field: "text"))
    case "tsv": #expect(format == .csv(column: .name("text"), delimiter: nil, hasHeader: true))
    default: #expect(format == .text(.line))
    }
  }
}
