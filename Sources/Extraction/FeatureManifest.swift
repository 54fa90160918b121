import Corpora
import Foundation

/// `manifest.json` of a feature-set directory: what was extracted, from what, with which
/// options, every shard with its token count and checksums, and where to resume.
///
/// Written atomically after every shard, so it always describes complete shards only.
public struct FeatureManifest: Codable, Sendable, Equatable {
  /// One file of a shard.
  public struct FileRecord: Codable, Sendable, Equatable {
    /// Path relative to the feature-set directory.
    public var path: String
    /// Size in bytes.
    public var bytes: Int
    /// SHA-256 of the file, lowercase hex.
    public var sha256: String
  }

  /// One shard.
  public struct ShardRecord: Codable, Sendable, Equatable {
    /// `shard-00000` (the file is `shard-00000.safetensors`, or the folder `shard-00000/` for npy).
    public var name: String
    /// Rows (tokens) in the shard.
    public var tokens: Int
    /// Its files.
    public var files: [FileRecord]
  }

  /// The model the activations come from.
  public struct ModelRecord: Codable, Sendable, Equatable {
    public var path: String
    public var layerCount: Int
    public var hiddenSize: Int
    public var vocabularySize: Int
  }

  /// One recorded hook.
  public struct HookRecord: Codable, Sendable, Equatable {
    /// Hook name, also the tensor name (safetensors) or file stem (npy).
    public var name: String
    /// Values per row.
    public var width: Int
  }

  /// Where the next shard starts: the document holding the next window, and that window's index.
  public struct ResumePoint: Codable, Sendable, Equatable {
    /// Position of the document in the corpus.
    public var position: CorpusPosition
    /// Index of the next window within that document.
    public var window: Int
    /// Index of that document among all documents read (sampled or not); `doc_index` values.
    public var documentOrdinal: Int64
  }

  /// Run counters, cumulative over resumed runs.
  public struct Counters: Codable, Sendable, Equatable {
    public var documentsRead: Int64 = 0
    public var documentsUsed: Int64 = 0
    public var windows: Int64 = 0
    public var badInputSkipped: Int64 = 0
    public init() {}
  }

  public var format = "bae-features"
  public var version = 1
  public var generator = "bae extract"
  public var model: ModelRecord
  public var hooks: [HookRecord]
  public var options: ExtractionOptions
  /// Corpus paths as given.
  public var corpusPaths: [String]
  /// The corpus files they expanded to, in reading order.
  public var corpusFiles: [String]
  /// Corpus reading options (format, field, filters, policy), as text; must match on resume.
  public var corpusOptions: String
  /// Source (file, member, line) and decompressed byte offset of the last document used.
  public var lastSource: String?
  /// Shards, in order.
  public var shards: [ShardRecord] = []
  /// Sum of shard tokens.
  public var totalTokens = 0
  /// OpenBLAS threads of the run: float results depend on how products are split between
  /// threads, so a resumed run must use the same number to write identical shards.
  public var blasThreads: Int
  /// Where the next shard starts.
  public var resume: ResumePoint
  /// True once the corpus (or `maxTokens`) is exhausted.
  public var complete = false
  public var counters = Counters()

  /// `manifest.json` inside `directory`.
  public static func url(in directory: URL) -> URL { directory.appendingPathComponent("manifest.json") }

  /// Reads `directory/manifest.json`.
  public static func load(from directory: URL) throws(ExtractionError) -> FeatureManifest {
    let file = url(in: directory)
    do {
      return try JSONDecoder().decode(FeatureManifest.self, from: Data(contentsOf: file))
    } catch {
      throw .badManifest(file: file, reason: String(describing: error))
    }
  }

  /// Writes `directory/manifest.json` atomically (temporary file, then rename).
  public func write(to directory: URL) throws(ExtractionError) {
    let file = Self.url(in: directory)
    do {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      try encoder.encode(self).write(to: file, options: .atomic)
    } catch {
      throw .writeFailed(file: file, reason: error.localizedDescription)
    }
  }
}
