import FeatureSets
import Foundation

/// What a records directory was made from and how (`manifest.json`).
public struct RecordManifest: Codable, Sendable, Equatable {
  public static let formatName = "bae-activation-records"

  public var format = RecordManifest.formatName
  public var version = 1
  /// The model's path as given.
  public var model: String
  /// Corpus paths read.
  public var corpus: [String]
  /// The hook whose hidden states were encoded (`blocks.L.hook_resid_post`).
  public var hook: String
  /// The autoencoder directory, if any (none for a `random` run without one).
  public var autoencoder: String?
  /// The autoencoder's architecture, or `random`.
  public var type: String
  public var scoring: RecordScoring
  /// Features chosen per token.
  public var topK: Int
  /// Features `m`.
  public var codeWidth: Int
  /// Texts read from the corpus (empty ones included) and documents kept (at least one token).
  public var textsRead: Int
  public var documents: Int
  /// Tokens scored (every position of every document).
  public var tokens: Int
  /// Longest window (tokens, BOS included); longer texts are cut.
  public var context: Int
  public var bos: BOSPolicy
  /// The `random` scoring's seed.
  public var seed: UInt64
  /// Whether `records.bin` holds per-feature active counts (not for `random`).
  public var hasActivity: Bool
  /// Seconds spent making the records.
  public var seconds: Double

  public init(
    model: String, corpus: [String], hook: String, autoencoder: String?, type: String, scoring: RecordScoring,
    topK: Int, codeWidth: Int, textsRead: Int, documents: Int, tokens: Int, context: Int, bos: BOSPolicy,
    seed: UInt64, hasActivity: Bool, seconds: Double
  ) {
    self.model = model
    self.corpus = corpus
    self.hook = hook
    self.autoencoder = autoencoder
    self.type = type
    self.scoring = scoring
    self.topK = topK
    self.codeWidth = codeWidth
    self.textsRead = textsRead
    self.documents = documents
    self.tokens = tokens
    self.context = context
    self.bos = bos
    self.seed = seed
    self.hasActivity = hasActivity
    self.seconds = seconds
  }

  enum CodingKeys: String, CodingKey {
    case format, version, model, corpus, hook, autoencoder, type, scoring, context, bos, seed, seconds, documents,
      tokens
    case topK = "top_k"
    case codeWidth = "code_width"
    case textsRead = "texts_read"
    case hasActivity = "has_activity"
  }
}

/// One document of a records directory: its text and the text of each of its tokens, so a
/// record's token and sentence can be shown without the tokenizer (`documents.jsonl`).
public struct RecordDocument: Codable, Sendable, Equatable {
  /// The text as the corpus gave it.
  public var text: String
  /// Each token of the window decoded alone (BOS included), in order.
  public var tokens: [String]

  public init(text: String, tokens: [String]) {
    self.text = text
    self.tokens = tokens
  }
}
