import Autoencoders
import Extraction
import FeatureSets
import Foundation
import HookPoints
import Models
import TensorCore
import Tokenizers

/// Where a command gets hidden-state rows (`bae train`, `bae entropy`): feature sets on disk, or a
/// model run over a corpus in memory with the windows of `bae extract`.
struct DataSource {
  let featureSet: FeatureSet?
  let extraction: (model: LlamaModel, tokenizer: any Tokenizer, path: URL)?
  let corpus: CorpusArguments
  let windows: WindowArguments
  let context: ComputeContext

  init(
    features: [String], allowIncomplete: Bool, model: ModelArguments, corpus: CorpusArguments,
    windows: WindowArguments, context: ComputeContext
  ) throws {
    self.corpus = corpus
    self.windows = windows
    self.context = context
    if features.isEmpty {
      let location = try model.resolvedLocation()
      let model = try reportingErrors { try LlamaModel.load(from: location) }
      let tokenizer = try reportingErrors { try TokenizerLoader.load(model: location) }
      extraction = (model, tokenizer, location.requestedURL)
      featureSet = nil
    } else {
      featureSet = try reportingErrors {
        try FeatureSet(
          directories: features.map { URL(fileURLWithPath: $0) }, options: .init(allowIncomplete: allowIncomplete))
      }
      extraction = nil
    }
  }

  /// Whether to stream from disk: when asked, or when the rows would not fit in memory.
  func shouldStream(points: [HookPoint], options: DataOptions, asked: Bool) throws -> Bool {
    guard let set = featureSet else {
      if asked {
        throw CommandError("--stream reads feature sets; training straight from a corpus holds the rows in memory")
      }
      return false
    }
    if asked { return true }
    let widths = try reportingErrors {
      try points.map { point throws(FeatureSetError) in try set.record(for: point).width }
    }
    let rows = min(set.rowCount, options.maxRows ?? Int.max)
    let (bytes, overflow) = rows.multipliedReportingOverflow(by: widths.reduce(0, +) * 4)
    return overflow || Double(bytes) > Double(ProcessInfo.processInfo.physicalMemory) * 0.5
  }

  var layerCount: Int { featureSet?.manifests[0].model.layerCount ?? extraction!.model.configuration.layerCount }
  var modelPath: String { featureSet?.manifests[0].model.path ?? extraction!.path.path }

  /// The rows of `points` with the data options applied.
  func rows(of points: [HookPoint], options: DataOptions, meter: inout TrainMeter) throws -> TrainingRows {
    if let set = featureSet {
      return try reportingErrors {
        try TrainingRows(from: set, hooks: points, options: options) { meter.reading(rows: $0, of: set.rowCount) }
      }
    }
    let (model, tokenizer, path) = extraction!
    let c = model.configuration
    let w = windows
    let extractionOptions = ExtractionOptions(
      hooks: points, context: w.context, bos: w.bos, skipFirst: w.skipFirst, batchTokens: w.batchTokens,
      shardTokens: w.maxTokens ?? 1, maxTokens: w.maxTokens)
    let extractor = try reportingErrors {
      try Extractor(
        model: model, modelPath: path, tokenizer: tokenizer, corpusPaths: corpus.corpus,
        corpusOptions: corpus.options, options: extractionOptions, output: nil, resume: false,
        context: context)
    }
    let buffer = try reportingErrors { try extractor.collect { meter.reading(rows: $0.tokens, of: w.maxTokens ?? 0) } }
    let records = points.map { HookRecord(point: $0, width: $0 == .logits ? c.vocabularySize : c.hiddenSize) }
    let batch = FeatureBatch(
      hooks: records,
      values: zip(records, buffer.hookValues).map { Matrix(rows: buffer.rows, columns: $0.width, values: $1) },
      tokenIDs: buffer.tokenIDs, documentIndex: buffer.documentIndex, positions: buffer.positions)
    return try reportingErrors { try TrainingRows(batch: batch, options: options) }
  }
}
