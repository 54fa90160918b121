import Corpora
import Foundation
import TestSupport
import Testing

@Suite struct ResumeTests {
  /// Three files: plain text, a tar.gz of three members, and JSON Lines with a
  /// bad line (read under `.skip`).
  static func makeCorpus(in folder: ScratchDirectory) throws -> [String] {
    let a = try folder.write("a.txt", "a1\na2\n\na3\n")
    let archive = fixture("docs.tar.gz")
    let c = try folder.write(
      "c.jsonl",
      """
      {"text": "c1", "meta": {"pile_set_name": "Keep"}}
      {"text": "c2", "meta": {"pile_set_name": "Drop"}}
      not json
      {"text": "c3", "meta": {"pile_set_name": "Keep"}}

      """)
    return [a, archive, c]
  }

  static let options = CorpusOptions(policy: .skip)

  @Test(arguments: 0...10)
  func resumingAfterNDocumentsYieldsExactlyTheRest(count: Int) throws {
    let folder = try ScratchDirectory()
    let paths = try Self.makeCorpus(in: folder)
    let all = try readAll(Corpus(paths: paths, options: Self.options))
    #expect(
      all.map(\.text) == [
        "a1", "a2", "a3", "alpha one", "alpha two", "beta json", "gamma", "c1", "c2", "c3",
      ])

    var first = try Corpus(paths: paths, options: Self.options)
    let head = try first.read(upTo: count)
    let position = first.position
    if let last = head.last { #expect(last.resumePosition == position) }

    let second = try Corpus(paths: paths, options: Self.options, resumingAt: position)
    let rest = try readAll(second)
    #expect(head.map(\.text) + rest.map(\.text) == all.map(\.text))
    #expect(rest.map(\.source) == all.dropFirst(count).map { $0.source })
    #expect(second.statistics.documentsRead == all.count - count)
  }

  @Test(arguments: 0...2)
  func resumingWithAnIncludeFilterCountsOnlyKeptDocuments(count: Int) throws {
    let folder = try ScratchDirectory()
    let path = try Self.makeCorpus(in: folder)[2]
    let options = CorpusOptions(include: [Document.pileSetNameKey: ["Keep"]], policy: .skip)
    var first = try Corpus(path: path, options: options)
    let head = try first.read(upTo: count)
    let rest = try readAll(Corpus(path: path, options: options, resumingAt: first.position))
    #expect(head.map(\.text) + rest.map(\.text) == ["c1", "c3"])
  }

  @Test func positionIsCodable() throws {
    let position = CorpusPosition(fileIndex: 2, memberIndex: 1, documentIndex: 40)
    let data = try JSONEncoder().encode(position)
    #expect(try JSONDecoder().decode(CorpusPosition.self, from: data) == position)
  }

  @Test func positionsOutsideTheCorpusAreRejected() throws {
    let folder = try ScratchDirectory()
    let path = try folder.write("a.txt", "a\nb\n")
    let beyondFiles = CorpusPosition(fileIndex: 5, memberIndex: 0, documentIndex: 0)
    guard case .invalidPosition? = corpusError({ _ = try Corpus(path: path, resumingAt: beyondFiles) })
    else {
      Issue.record("expected invalidPosition")
      return
    }
    let beyondDocuments = CorpusPosition(fileIndex: 0, memberIndex: 0, documentIndex: 3)
    let corpus = try Corpus(path: path, resumingAt: beyondDocuments)
    guard case .invalidPosition? = corpusError({ _ = try corpus.next() }) else {
      Issue.record("expected invalidPosition")
      return
    }
    let atEnd = try Corpus(path: path, resumingAt: CorpusPosition(fileIndex: 1, memberIndex: 0, documentIndex: 0))
    #expect(try atEnd.next() == nil)
  }
}
