import Corpora
import Extraction
import FeatureSets
import Foundation
import HookPoints
import Models
import TensorCore
import TestSupport
import Testing

/// `Extractor.tokenBatches`: the windows an extraction runs, for analyses that run the model
/// themselves over the same text.
@Suite struct TokenBatchesTests {
  func makeExtractor(_ f: Fixture, options: ExtractionOptions, context: ComputeContext? = nil) throws -> Extractor {
    try Extractor(
      model: f.model, modelPath: tinyModelURL, tokenizer: f.tokenizer, corpusPaths: [pileSample],
      corpusOptions: CorpusOptions(policy: .fail), options: options, output: nil, resume: false, context: context)
  }

  /// Running the model over the batches gives, at positions `≥ skipFirst`, exactly the rows an
  /// in-memory extraction with the same options collects, and stops at the same token.
  @Test(arguments: [0, 1])
  func batchesHoldTheRowsAnExtractionKeeps(skipFirst: Int) throws {
    let f = try Fixture()
    let hook = HookPoint.residualPost(layer: 1)
    let options = ExtractionOptions(
      hooks: [hook], context: 16, skipFirst: skipFirst, batchTokens: 64, shardTokens: 1, maxTokens: 150)
    let context = ComputeContext(threads: 2)
    let extractor = try makeExtractor(f, options: options, context: context)
    let collected = try extractor.collect()
    let batches = try extractor.tokenBatches()

    #expect(batches.allSatisfy { $0.map(\.count).reduce(0, +) <= 64 })
    #expect(batches.joined().allSatisfy { $0.count <= 16 })
    var ids: [Int32] = []
    var values: [Float] = []
    for batch in batches {
      var recorder = ActivationRecorder([hook])
      try f.model.forward(
        batch: batch, state: LlamaRunState(configuration: f.model.configuration), hooks: &recorder, context: context)
      for (s, window) in batch.enumerated() where window.count > skipFirst {
        ids += window[skipFirst...]
        let rows = try #require(recorder.values(hook, sequence: s))
        values += rows[(skipFirst * f.model.configuration.hiddenSize)...]
      }
    }
    #expect(ids.count == 150)
    #expect(ids == collected.tokenIDs)
    let diff = maxAbsDiff(values, collected.hookValues[0])
    #expect(diff <= 1e-5, "maxdiff \(diff)")
  }

  @Test func aTokenLimitIsRequired() throws {
    let f = try Fixture()
    let options = ExtractionOptions(hooks: [.residualPost(layer: 0)], shardTokens: 10)
    let extractor = try makeExtractor(f, options: options)
    #expect(throws: ExtractionError.self) { try extractor.tokenBatches() }
  }
}
