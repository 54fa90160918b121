import Autoencoders
import Corpora
import Extraction
import FeatureSets
import Foundation
import HookPoints
import Models
import TensorCore
import Tokenizers

/// How activation records are made.
public struct RecordOptions: Sendable, Equatable {
  public var scoring: RecordScoring
  /// Features recorded per token (`top_k`).
  public var topK = 10
  /// Texts read from the corpus (`texts`); empty ones are read but give no document.
  public var texts = 8192
  /// Longest window, BOS included (`context`); a longer text keeps its first window only.
  public var context = 512
  /// BOS at position 0 of every document (`bos`).
  public var bos = BOSPolicy.on
  /// Tokens per forward batch (`batch_tokens`).
  public var batchTokens = 4096
  /// The `random` scoring's seed.
  public var seed: UInt64 = 0

  public init(scoring: RecordScoring) { self.scoring = scoring }

  /// - Throws: ``InterpretError/invalidOption(name:reason:)`` for a count below 1.
  public func validate() throws(InterpretError) {
    for (name, value) in [("top_k", topK), ("texts", texts), ("context", context), ("batch_tokens", batchTokens)]
    where value < 1 {
      throw .invalidOption(name: name, reason: "must be at least 1, got \(value)")
    }
  }
}

/// What a records run reports while it works.
public enum RecordProgress: Sendable, Equatable {
  /// Texts read and tokenised.
  case reading(texts: Int, of: Int)
  /// Tokens run through the model and encoded.
  case encoding(tokens: Int, of: Int)
  /// Tokens whose top-k features have been chosen.
  case selecting(tokens: Int, of: Int)
}

/// Where a records run's inputs came from, for its manifest.
public struct RecordProvenance: Sendable, Equatable {
  public var model: String
  public var corpus: [String]
  public var autoencoder: String?
  /// The autoencoder's architecture, or `random`.
  public var type: String

  public init(model: String, corpus: [String], autoencoder: String?, type: String) {
    self.model = model
    self.corpus = corpus
    self.autoencoder = autoencoder
    self.type = type
  }
}

/// Makes activation records (`bae-method.md` §8): each text of the corpus is tokenised alone
/// (BOS at position 0 as ``RecordOptions/bos`` says), run through the model, and every
/// position's hidden state at one hook is encoded by an autoencoder; once all codes are in
/// (the scores need statistics over all tokens), each token's top-k features get a record.
public struct RecordCollector {
  /// The model, or nil for the `random` scoring (which needs only the tokens).
  public var model: LlamaModel?
  public var tokenizer: any Tokenizer
  /// The autoencoder, or nil for the `random` scoring.
  public var autoencoder: Autoencoder?
  public var point: HookPoint
  /// Features `m` (the autoencoder's code width when there is one).
  public var codeWidth: Int
  public var options: RecordOptions

  /// - Throws: ``InterpretError`` when a scoring that needs codes has no model or autoencoder,
  ///   when `minority_state` is asked of non-binary codes, or when the autoencoder's width
  ///   differs from the hook's.
  public init(
    model: LlamaModel?, tokenizer: any Tokenizer, autoencoder: Autoencoder?, point: HookPoint, codeWidth: Int? = nil,
    options: RecordOptions
  ) throws(InterpretError) {
    try options.validate()
    if options.scoring.needsCodes {
      guard let model, let autoencoder else {
        throw .invalidOption(name: "scoring", reason: "\(options.scoring.rawValue) needs a model and an autoencoder")
      }
      let width = point == .logits ? model.configuration.vocabularySize : model.configuration.hiddenSize
      guard width == autoencoder.configuration.inputWidth else {
        throw .widthMismatch(
          hook: point.name, hiddenWidth: width, autoencoderWidth: autoencoder.configuration.inputWidth)
      }
      if let layer = point.layer, layer >= model.configuration.layerCount {
        throw .invalidOption(
          name: "hook", reason: "\(point.name) is past the model's \(model.configuration.layerCount) layers")
      }
      guard (options.scoring == .minorityState) == autoencoder.configuration.architecture.isBinary else {
        throw .invalidOption(
          name: "scoring",
          reason:
            "\(options.scoring.rawValue) does not fit a \(autoencoder.configuration.architecture.rawValue) autoencoder "
            + "(minority_state is for a BAE's bits, activation/standardized for the others)")
      }
    }
    guard let width = codeWidth ?? autoencoder?.configuration.codeWidth, width >= 1 else {
      throw .invalidOption(name: "code_width", reason: "give the number of features (or an autoencoder)")
    }
    self.model = model
    self.tokenizer = tokenizer
    self.autoencoder = autoencoder
    self.point = point
    self.codeWidth = width
    self.options = options
  }

  /// Reads up to ``RecordOptions/texts`` texts of `corpus` and makes their records.
  ///
  /// - Throws: ``InterpretError/noDocuments(textsRead:)``, `CorpusError`, tokenizer errors,
  ///   `ForwardError`.
  public func collect(
    corpus: inout some CorpusReader, provenance: RecordProvenance, context: ComputeContext,
    progress: (RecordProgress) -> Void = { _ in }
  ) throws -> ActivationRecords {
    let start = Date()
    let cutter = try WindowCutter(tokenizer: tokenizer, context: options.context, policy: options.bos)
    var windows: [[Int32]] = []
    var documents: [RecordDocument] = []
    var read = 0
    while read < options.texts, let document = try corpus.next() {
      read += 1
      if let window = cutter.windows(of: try tokenizer.encodeIDs(document.text)).first {
        windows.append(window)
        documents.append(RecordDocument(text: document.text, tokens: window.map { tokenizer.decode([$0]) }))
      }
      if read % 64 == 0 { progress(.reading(texts: read, of: options.texts)) }
    }
    progress(.reading(texts: read, of: options.texts))
    guard !windows.isEmpty else { throw InterpretError.noDocuments(textsRead: read) }
    let lengths = windows.map(\.count)
    let tokens = lengths.reduce(0, +)

    var table: CodeTable?
    if options.scoring.needsCodes, let model, let autoencoder {
      table = try encode(windows, tokens: tokens, model: model, autoencoder: autoencoder, context: context, progress)
    }
    let records = RecordSelection.select(
      documentLengths: lengths, width: codeWidth, topK: options.topK, scoring: options.scoring, codes: table,
      seed: options.seed
    ) { progress(.selecting(tokens: $0, of: tokens)) }
    let manifest = RecordManifest(
      model: provenance.model, corpus: provenance.corpus, hook: point.name, autoencoder: provenance.autoencoder,
      type: provenance.type, scoring: options.scoring, topK: options.topK, codeWidth: codeWidth, textsRead: read,
      documents: documents.count, tokens: tokens, context: options.context, bos: options.bos, seed: options.seed,
      hasActivity: table != nil, seconds: Date().timeIntervalSince(start))
    return ActivationRecords(
      manifest: manifest, documents: documents, records: records,
      active: table?.active ?? [Int](repeating: 0, count: codeWidth))
  }

  /// Runs the windows in packed batches and encodes every token's state at ``point``.
  func encode(
    _ windows: [[Int32]], tokens: Int, model: LlamaModel, autoencoder: Autoencoder, context: ComputeContext,
    _ progress: (RecordProgress) -> Void
  ) throws -> CodeTable {
    var table = CodeTable(width: codeWidth, binary: autoencoder.configuration.architecture.isBinary)
    var hook = PointRows(point: point)
    let state = LlamaRunState(configuration: model.configuration)
    var start = 0
    while start < windows.count {
      var end = start
      var batchTokens = 0
      while end < windows.count, end == start || batchTokens + windows[end].count <= options.batchTokens {
        batchTokens += windows[end].count
        end += 1
      }
      try model.forward(batch: Array(windows[start..<end]), state: state, hooks: &hook, context: context)
      table.append(autoencoder.encode(hook.rows, context: context))
      start = end
      progress(.encoding(tokens: table.rows, of: tokens))
    }
    return table
  }
}

/// Copies every row of one point of a batch, `[rows, width]`.
struct PointRows: ForwardHook {
  let point: HookPoint
  var rows = Matrix(rows: 0, columns: 0)

  var points: Set<HookPoint> { [point] }

  mutating func visit(_ point: HookPoint, _ activations: ActivationView) throws {
    rows = Matrix(rows: activations.rows, columns: activations.width, values: Array(activations.values))
  }
}
