import Corpora
import Foundation
import TestSupport
import Testing

/// Streams the sample corpora shipped in corpora/ (made by scripts/make_corpora.py).
@Suite struct ShippedCorporaTests {
  static let corpora = repositoryRoot.appendingPathComponent("corpora")

  @Test func pileSampleHasTheExpectedSourcesAndCounts() throws {
    let path = Self.corpora.appendingPathComponent("pile-sample.jsonl.zst").path
    let corpus = try Corpus(path: path)
    var counts: [String: Int] = [:]
    var words = 0
    while let document = try corpus.next() {
      counts[document.pileSetName ?? "none", default: 0] += 1
      words += document.text.split(whereSeparator: \.isWhitespace).count
    }
    #expect(counts == ["Gutenberg (PG-19)": 602, "Bible (KJV)": 343, "Fortunes": 80])
    #expect(words == 1_158_081)
    #expect(corpus.statistics.skippedTotal == 0)

    let bible = try Corpus(path: path, options: CorpusOptions(include: [Document.pileSetNameKey: ["Bible (KJV)"]]))
    let chapters = try readAll(bible)
    #expect(chapters.count == 343)
    #expect(chapters.contains { $0.text.hasPrefix("1:1 In the beginning God created the heaven and the earth.") })
  }

  @Test func bookcorpusSampleHasOneSentencePerLine() throws {
    let path = Self.corpora.appendingPathComponent("bookcorpus-sample.txt.gz").path
    let corpus = try Corpus(path: path)
    var count = 0
    var words = 0
    var first: Document?
    while let document = try corpus.next() {
      if first == nil { first = document }
      count += 1
      words += document.text.split(separator: " ").count
    }
    #expect(count == 31_707)
    #expect(words == 717_537)
    #expect(first?.text == "SENSE AND SENSIBILITY")
    #expect(corpus.statistics.bytesRead > 4_000_000)
  }
}
