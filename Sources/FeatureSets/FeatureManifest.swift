import Checkpoints
import Corpora
import Foundation
import HookPoints
import JSONSupport
import TensorCore

/// `manifest.json` of a feature-set directory: what was extracted, from what, with which
/// options, every shard with its row count and checksums, and where to resume.
///
/// This is a file format other tools read (`scripts/features_to_pkl.py`, users' Python): the
/// fields below are its documentation. Keys are the property names; JSON is written with sorted
/// keys. The manifest is rewritten atomically after every shard, so it always describes
/// complete shards only.
///
/// Version history: 1 (first release: corpus options as a text summary, `blasThreads`);
/// 2 (corpus options as an object under `corpus`, `compute`, hooks with `layer` and `site`;
/// later, still readable by every version-2 reader: `part` for one part of a sharded extraction
/// and `parts` for a merged set, whose shard names are paths such as `part-00000/shard-00000`).
public struct FeatureManifest: Codable, Sendable, Equatable {
  /// One file of a shard.
  public struct FileRecord: Codable, Sendable, Equatable {
    /// Path relative to the feature-set directory.
    public var path: String
    /// Size in bytes.
    public var bytes: Int
    /// SHA-256 of the file, lowercase hex.
    public var sha256: String

    public init(path: String, bytes: Int, sha256: String) {
      self.path = path
      self.bytes = bytes
      self.sha256 = sha256
    }
  }

  /// One shard: `rows` consecutive rows of every hook.
  public struct ShardRecord: Codable, Sendable, Equatable {
    /// `shard-00000` (the file is `shard-00000.safetensors`, or the folder `shard-00000/` for npy).
    public var name: String
    /// Rows (tokens) in the shard.
    public var tokens: Int
    /// Its files: one `.safetensors`, or one `.npy` per hook and per index array.
    public var files: [FileRecord]
    /// Where the shard's first row comes from (the resume point before it), so a damaged shard
    /// can be extracted again; absent in sets written before it was recorded.
    public var start: ResumePoint?
    /// The run counters before the shard (restored when it is extracted again).
    public var countersAtStart: Counters?

    public init(
      name: String, tokens: Int, files: [FileRecord], start: ResumePoint? = nil, countersAtStart: Counters? = nil
    ) {
      self.name = name
      self.tokens = tokens
      self.files = files
      self.start = start
      self.countersAtStart = countersAtStart
    }
  }

  /// The model the activations come from.
  public struct ModelRecord: Codable, Sendable, Equatable, CustomStringConvertible {
    /// The model path as given.
    public var path: String
    public var layerCount: Int
    public var hiddenSize: Int
    public var vocabularySize: Int

    public init(path: String, layerCount: Int, hiddenSize: Int, vocabularySize: Int) {
      self.path = path
      self.layerCount = layerCount
      self.hiddenSize = hiddenSize
      self.vocabularySize = vocabularySize
    }

    public var description: String {
      "\(path) (\(layerCount) layers, hidden size \(hiddenSize), vocabulary \(vocabularySize))"
    }
  }

  /// The corpus the rows come from.
  public struct CorpusRecord: Codable, Sendable, Equatable {
    /// Paths as given (files, directories, globs).
    public var paths: [String]
    /// The files they expanded to, in reading order.
    public var files: [String]
    /// How the files were read.
    public var options: CorpusOptions

    public init(paths: [String], files: [String], options: CorpusOptions) {
      self.paths = paths
      self.files = files
      self.options = options
    }
  }

  /// Where the next shard starts: the document holding the next window, and that window's index.
  public struct ResumePoint: Codable, Sendable, Equatable {
    /// Position of the document in the corpus.
    public var position: CorpusPosition
    /// Index of the next window within that document.
    public var window: Int
    /// Index of that document among all documents read (sampled or not); `doc_index` values.
    public var documentOrdinal: Int64

    public init(position: CorpusPosition, window: Int, documentOrdinal: Int64) {
      self.position = position
      self.window = window
      self.documentOrdinal = documentOrdinal
    }

    /// The start of the corpus.
    public static let start = ResumePoint(position: .start, window: 0, documentOrdinal: 0)
  }

  /// Run counters, cumulative over resumed runs.
  public struct Counters: Codable, Sendable, Equatable {
    /// Documents the corpus reader returned.
    public var documentsRead: Int64 = 0
    /// Documents kept by sampling that gave at least one window.
    public var documentsUsed: Int64 = 0
    /// Windows run through the model.
    public var windows: Int64 = 0
    /// Bad documents or damaged files skipped.
    public var badInputSkipped: Int64 = 0
    public init() {}
  }

  /// The value of ``format``.
  public static let formatName = "bae-features"
  /// The version this build writes and reads.
  public static let currentVersion = 2

  /// Always `bae-features`.
  public var format = FeatureManifest.formatName
  /// Format version (see the type's documentation).
  public var version = FeatureManifest.currentVersion
  /// The program that wrote the set.
  public var generator = "bae extract"
  public var model: ModelRecord
  /// The recorded hooks, in execution order; every shard holds each of them.
  public var hooks: [HookRecord]
  /// Extraction options (windows, sampling, stored dtype, file format).
  public var options: ExtractionOptions
  public var corpus: CorpusRecord
  /// Threads (and precision) of the run: float results depend on how products are split
  /// between threads, so a resumed run uses the same context to write identical shards.
  public var compute: ComputeContext
  /// The OpenBLAS kernel family of the run (`Haswell`, `SkylakeX`, …): other kernels round
  /// differently, so a resumed run must use the same ones to write identical shards.
  public var blasKernels: String?
  /// Source (file, member, line) and decompressed byte offset of the last document used.
  public var lastSource: String?
  /// Shards, in order.
  public var shards: [ShardRecord] = []
  /// Sum of shard rows.
  public var totalTokens = 0
  /// Where the next shard starts.
  public var resume: ResumePoint
  /// True once the corpus (or `maxTokens`) is exhausted.
  public var complete = false
  public var counters = Counters()
  /// For one part of a sharded extraction: which part, of how many, by which rule; `nil` for an
  /// unsharded extraction and for a merged set.
  public var part: Part?
  /// For a set merged from the parts of a sharded extraction (``FeatureSetMerge``): the parts,
  /// in reading order; `nil` otherwise.
  public var parts: [MergedPart]?

  /// A manifest for a new, empty set.
  public init(
    model: ModelRecord, hooks: [HookRecord], options: ExtractionOptions, corpus: CorpusRecord,
    compute: ComputeContext, resume: ResumePoint = .start
  ) {
    self.model = model
    self.hooks = hooks
    self.options = options
    self.corpus = corpus
    self.compute = compute
    self.resume = resume
  }

  /// `manifest.json` inside `directory`.
  public static func url(in directory: URL) -> URL { directory.appendingPathComponent("manifest.json") }

  /// Reads `directory/manifest.json`.
  ///
  /// - Throws: ``FeatureSetError/missingManifest(directory:)``, ``FeatureSetError/badManifest(file:reason:)``
  ///   (unparsable, another format, or a version this build does not read).
  public static func load(from directory: URL) throws(FeatureSetError) -> FeatureManifest {
    let file = url(in: directory)
    guard FileManager.default.fileExists(atPath: file.path) else { throw .missingManifest(directory: directory) }
    let data: Data
    do {
      data = try Data(contentsOf: file)
    } catch {
      throw .badManifest(file: file, reason: error.localizedDescription)
    }
    struct Header: Decodable {
      var format: String?
      var version: Int?
    }
    let header = try? JSONDecoder().decode(Header.self, from: data)
    guard let header, header.format == formatName else {
      throw .badManifest(file: file, reason: "not a bae feature-set manifest (no \"format\": \"\(formatName)\")")
    }
    guard header.version == currentVersion else {
      throw .badManifest(
        file: file,
        reason:
          "format version \(header.version.map(String.init) ?? "missing"); this build reads version \(currentVersion): re-extract the set with this build"
      )
    }
    do {
      return try JSONDecoder().decode(FeatureManifest.self, from: data)
    } catch let error as DecodingError {
      throw .badManifest(file: file, reason: error.plainDescription)
    } catch {
      throw .badManifest(file: file, reason: error.localizedDescription)
    }
  }

  /// Writes `directory/manifest.json` atomically (``AtomicFile``).
  public func write(to directory: URL) throws(FeatureSetError) {
    let file = Self.url(in: directory)
    let data: Data
    do {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      data = try encoder.encode(self)
    } catch {
      throw .writeFailed(file: file, reason: error.localizedDescription)
    }
    do {
      try AtomicFile.write(data, to: file)
    } catch {
      throw .writeFailed(file: file, reason: error.reason)
    }
  }

  /// The record of hook `name`, if recorded.
  public func hook(named name: String) -> HookRecord? { hooks.first { $0.name == name } }
}
