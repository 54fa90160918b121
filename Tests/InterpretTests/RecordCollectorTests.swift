import Autoencoders
import Corpora
import Foundation
import HookPoints
import Interpret
import Models
import TensorCore
import TestSupport
import Testing
import Tokenizers

/// Documents from an array, for tests.
struct ArrayCorpus: CorpusReader {
  var texts: [String]
  var cursor = 0

  mutating func next() throws(CorpusError) -> Document? {
    guard cursor < texts.count else { return nil }
    defer { cursor += 1 }
    return Document(text: texts[cursor], source: DocumentSource(path: "array", line: cursor + 1))
  }
}

/// The records pipeline on the tiny model with a seeded autoencoder: one record per token and
/// chosen feature, BOS at position 0, batches that do not change the result, and the same
/// records as selection over codes computed independently.
@Suite struct RecordCollectorTests {
  static let texts = [
    "the cat sat on the mat", "", "a dog and a cat", "one two three four five six seven", "ok",
  ]
  static let point = HookPoint.residualPost(layer: 1)

  static func setup(_ architecture: Architecture) throws -> (LlamaModel, any Tokenizer, Autoencoder) {
    let location = Fixtures.model("tiny-extract")
    let model = try LlamaModel.load(from: location)
    let tokenizer = try TokenizerLoader.load(directory: location)
    let c = AutoencoderConfiguration(
      architecture: architecture, inputWidth: model.configuration.hiddenSize, codeWidth: 24,
      inputHook: point.name)
    return (model, tokenizer, try Autoencoder(configuration: c, seed: 5))
  }

  static func collect(
    _ architecture: Architecture, scoring: RecordScoring, batchTokens: Int, topK: Int = 3
  ) throws -> ActivationRecords {
    let (model, tokenizer, ae) = try setup(architecture)
    var options = RecordOptions(scoring: scoring)
    options.topK = topK
    options.batchTokens = batchTokens
    options.bos = tokenizer.bosTokenID == nil ? .auto : .on
    let collector = try RecordCollector(
      model: model, tokenizer: tokenizer, autoencoder: ae, point: point, options: options)
    var corpus = ArrayCorpus(texts: texts)
    return try collector.collect(
      corpus: &corpus, provenance: RecordProvenance(model: "tiny", corpus: ["array"], autoencoder: "ae", type: "bae"),
      context: ComputeContext(threads: 1))
  }

  @Test func everyTokenGetsTopKRecordsInCorpusOrder() throws {
    let records = try Self.collect(.bae, scoring: .minorityState, batchTokens: 7)
    let m = records.manifest
    #expect(m.textsRead == 5 && m.documents == 4, "the empty text gives no document")
    #expect(m.tokens == records.documents.map(\.tokens.count).reduce(0, +))
    #expect(records.records.map(\.count).reduce(0, +) == m.tokens * 3)
    for list in records.records {
      let order = list.map { [$0.document, $0.position] }
      #expect(order == order.sorted { $0.lexicographicallyPrecedes($1) })
    }
    let (_, tokenizer, _) = try Self.setup(.bae)
    if let bos = tokenizer.bosTokenID {
      #expect(records.documents.allSatisfy { $0.tokens[0] == tokenizer.decode([bos]) })
    }
    #expect(records.documents[0].text == "the cat sat on the mat")
    // BAE active counts are the bits that are 1.
    #expect(records.active.allSatisfy { $0 <= m.tokens } && m.hasActivity)
  }

  @Test func recordsEqualSelectionOverIndependentlyComputedCodes() throws {
    let (model, tokenizer, ae) = try Self.setup(.bae)
    let records = try Self.collect(.bae, scoring: .minorityState, batchTokens: 4096)
    let batched = try Self.collect(.bae, scoring: .minorityState, batchTokens: 5)
    #expect(records.records == batched.records, "packing documents into batches changes nothing")

    var table = CodeTable(width: 24, binary: true)
    var lengths: [Int] = []
    let bos = tokenizer.bosTokenID
    for text in Self.texts where !text.isEmpty {
      var ids = try tokenizer.encodeIDs(text)
      if let bos, ids.first != bos { ids.insert(bos, at: 0) }
      var recorder = ActivationRecorder([Self.point])
      try model.forward(
        batch: [ids], state: LlamaRunState(configuration: model.configuration), hooks: &recorder,
        context: ComputeContext(threads: 1))
      let x = Matrix(rows: ids.count, columns: 32, values: recorder.values[Self.point]!)
      table.append(ae.encode(x, context: ComputeContext(threads: 1)))
      lengths.append(ids.count)
    }
    #expect(lengths == records.documents.map(\.tokens.count))
    let expected = RecordSelection.select(
      documentLengths: lengths, width: 24, topK: 3, scoring: .minorityState, codes: table)
    #expect(expected == records.records)
  }

  @Test func sparseAndRandomScoringsWork() throws {
    let relu = try Self.collect(.relu, scoring: .activation, batchTokens: 64)
    #expect(relu.records.map(\.count).reduce(0, +) == relu.manifest.tokens * 3)
    let standardized = try Self.collect(.relu, scoring: .standardized, batchTokens: 64)
    #expect(standardized.manifest.scoring == .standardized)

    let (_, tokenizer, _) = try Self.setup(.bae)
    var options = RecordOptions(scoring: .random)
    options.bos = .auto
    let collector = try RecordCollector(
      model: nil, tokenizer: tokenizer, autoencoder: nil, point: Self.point, codeWidth: 10, options: options)
    var corpus = ArrayCorpus(texts: Self.texts)
    let random = try collector.collect(
      corpus: &corpus, provenance: RecordProvenance(model: "tiny", corpus: [], autoencoder: nil, type: "random"),
      context: ComputeContext(threads: 1))
    #expect(!random.manifest.hasActivity && random.firingRate(0) == nil)
    #expect(random.records.map(\.count).reduce(0, +) == random.manifest.tokens * 10)
  }

  @Test func mismatchesAreClearErrors() throws {
    let (model, tokenizer, ae) = try Self.setup(.bae)
    #expect(throws: InterpretError.self) {
      try RecordCollector(
        model: model, tokenizer: tokenizer, autoencoder: ae, point: Self.point,
        options: RecordOptions(scoring: .activation))
    }
    #expect(throws: InterpretError.self) {
      try RecordCollector(
        model: model, tokenizer: tokenizer, autoencoder: ae, point: .residualPost(layer: 7),
        options: RecordOptions(scoring: .minorityState))
    }
    #expect(throws: InterpretError.self) {
      try RecordCollector(
        model: nil, tokenizer: tokenizer, autoencoder: nil, point: Self.point, options: RecordOptions(scoring: .random))
    }
    var corpus = ArrayCorpus(texts: ["", ""])
    var options = RecordOptions(scoring: .minorityState)
    options.bos = .auto
    let collector = try RecordCollector(
      model: model, tokenizer: tokenizer, autoencoder: ae, point: Self.point, options: options)
    #expect(throws: InterpretError.noDocuments(textsRead: 2)) {
      try collector.collect(
        corpus: &corpus, provenance: RecordProvenance(model: "", corpus: [], autoencoder: nil, type: "bae"),
        context: ComputeContext(threads: 1))
    }
  }
}
