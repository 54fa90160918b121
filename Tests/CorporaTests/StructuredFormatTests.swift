import Corpora
import Foundation
import TestSupport
import Testing

@Suite struct StructuredFormatTests {
  static let pile = """
    {"text": "First doc.", "meta": {"pile_set_name": "Pile-CC"}}
    {"text": "Second doc.\\nWith two lines.", "meta": {"pile_set_name": "Gutenberg (PG-19)"}}

    {"text": "Third doc.", "meta": {"pile_set_name": "Pile-CC", "year": 1999}}
    {"text": "No meta."}

    """

  @Test func jsonLinesKeepsTextAndPileSetName() throws {
    let folder = try ScratchDirectory()
    let path = try folder.write("pile.jsonl", Self.pile)
    let documents = try readAll(Corpus(path: path))
    #expect(
      documents.map(\.text) == [
        "First doc.", "Second doc.\nWith two lines.", "Third doc.", "No meta.",
      ])
    #expect(documents.map(\.pileSetName) == ["Pile-CC", "Gutenberg (PG-19)", "Pile-CC", nil])
    #expect(documents.map(\.source.line) == [1, 2, 4, 5])
    #expect(documents.map(\.source.recordIndex) == [0, 1, 2, 3])
  }

  @Test func includeFilterKeepsOnlyListedSets() throws {
    let folder = try ScratchDirectory()
    let path = try folder.write("pile.jsonl", Self.pile)
    let corpus = try Corpus(
      path: path, options: CorpusOptions(include: [Document.pileSetNameKey: ["Pile-CC"]]))
    #expect(try readAll(corpus).map(\.text) == ["First doc.", "Third doc."])
    #expect(corpus.statistics.filtered == 2)
    #expect(corpus.statistics.documentsRead == 2)
  }

  @Test func dottedFieldAndMetadataPaths() throws {
    let folder = try ScratchDirectory()
    let path = try folder.write(
      "nested.json", #"{"body": {"content": "Deep text."}, "meta": {"year": 1999, "ok": true}}"#)
    let options = CorpusOptions(
      format: .jsonl(field: "body.content"), metadataFields: ["meta.year", "meta.ok", "meta.none"])
    let documents = try readAll(Corpus(path: path, options: options))
    #expect(documents.map(\.text) == ["Deep text."])
    #expect(documents.first?.metadata == ["meta.year": "1999", "meta.ok": "true"])
  }

  @Test func csvWithQuotedFields() throws {
    let folder = try ScratchDirectory()
    let csv = [
      "id,text,label\r\n",
      "1,plain text,a\r\n",
      "2,\"with, a comma\",b\n",
      "3,\"she said \"\"hi\"\"\",c\n",
      "4,\"two\nlines\",d\n",
      "5,,e\n",
    ].joined()
    let path = try folder.write("data.csv", csv)
    let documents = try readAll(Corpus(path: path))
    #expect(
      documents.map(\.text) == [
        "plain text", "with, a comma", "she said \"hi\"", "two\nlines",
      ])
    #expect(documents.map(\.source.line) == [2, 3, 4, 5])
    let byIndex = CorpusOptions(format: .csv(column: .index(2), delimiter: nil, hasHeader: true))
    #expect(try texts([path], byIndex) == ["a", "b", "c", "d", "e"])
  }

  @Test func tsvWithoutHeaderByIndex() throws {
    let folder = try ScratchDirectory()
    let path = try folder.write("data.tsv", "1\tone, two\n2\t\"quoted\ttab\"\n")
    let options = CorpusOptions(format: .csv(column: .index(1), delimiter: nil, hasHeader: false))
    #expect(try texts([path], options) == ["one, two", "quoted\ttab"])
  }

  @Test func csvMissingColumnIsReported() throws {
    let folder = try ScratchDirectory()
    let path = try folder.write("data.csv", "id,body\n1,x\n")
    let error = corpusError { _ = try texts([path]) }
    guard case .missingField(let field, let source)? = error else {
      Issue.record("expected missingField, got \(String(describing: error))")
      return
    }
    #expect(field.contains("text"))
    #expect(source.path == path && source.line == 1)
  }

  @Test func csvMalformedQuoteIsReported() throws {
    let folder = try ScratchDirectory()
    let path = try folder.write("data.csv", "text\n\"ok\"\n\"bad\"x\nfine\n")
    let error = corpusError { _ = try texts([path]) }
    guard case .malformedCSV(let source, _)? = error else {
      Issue.record("expected malformedCSV, got \(String(describing: error))")
      return
    }
    #expect(source.line == 3)
    let corpus = try Corpus(path: path, options: CorpusOptions(policy: .skip))
    #expect(try readAll(corpus).map(\.text) == ["ok", "fine"])
    #expect(corpus.statistics.skipped == [.malformedCSV: 1])
  }
}
