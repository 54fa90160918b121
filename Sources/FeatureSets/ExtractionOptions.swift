import Foundation
import HookPoints
import TensorCore

/// Whether each context window starts with the tokenizer's BOS token.
public enum BOSPolicy: String, Sendable, Hashable, Codable, CaseIterable {
  /// Do what the tokenizer does by itself (SmolLM2: no BOS; Llama: BOS).
  case auto
  /// Start every window with BOS.
  case on
  /// Never insert BOS.
  case off
}

/// Output file layout of a feature set.
public enum FeatureFileFormat: String, Sendable, Hashable, Codable, CaseIterable {
  /// `shard-NNNNN.safetensors`, one tensor per hook plus `token_ids`, `doc_index`, `position`.
  case safetensors
  /// `shard-NNNNN/<name>.npy`, one `.npy` per hook and per index array.
  case npy
}

/// How an extraction cuts text into model inputs and which rows it keeps.
///
/// Every field is recorded in the manifest (``FeatureManifest/options``); resuming refuses to
/// continue a run whose options differ.
public struct ExtractionOptions: Sendable, Codable, Hashable {
  /// Hook points in execution order (stored by name).
  public var hooks: [HookPoint]
  /// Tokens per window: long documents are cut into consecutive windows of at most this many
  /// tokens (BOS included), each run as its own sequence starting at position 0.
  public var context: Int
  /// BOS handling.
  public var bos: BOSPolicy
  /// Positions dropped at the start of every window. Default 1: the first position of a
  /// sequence is the attention sink, whose residual norm is ~100× that of other tokens and
  /// would dominate autoencoder training.
  public var skipFirst: Int
  /// Tokens per forward batch (windows are packed up to this many tokens).
  public var batchTokens: Int
  /// Rows per shard (the last shard may hold fewer; a shard always ends on a batch boundary,
  /// so it may hold up to one batch more).
  public var shardTokens: Int
  /// Stop after this many rows (nil: the whole corpus).
  public var maxTokens: Int?
  /// Fraction of documents kept, decided per document by a seeded hash of its index.
  public var sampleRate: Double
  /// Seed of the document sampling.
  public var seed: UInt64
  /// Stored precision of hook tensors.
  public var dtype: DType
  /// File layout.
  public var fileFormat: FeatureFileFormat

  /// Creates options; see each property for the meaning and default.
  public init(
    hooks: [HookPoint], context: Int = 256, bos: BOSPolicy = .auto, skipFirst: Int = 1, batchTokens: Int = 4096,
    shardTokens: Int = 0, maxTokens: Int? = nil, sampleRate: Double = 1, seed: UInt64 = 0,
    dtype: DType = .float32, fileFormat: FeatureFileFormat = .safetensors
  ) {
    self.hooks = hooks
    self.context = context
    self.bos = bos
    self.skipFirst = skipFirst
    self.batchTokens = batchTokens
    self.shardTokens = shardTokens
    self.maxTokens = maxTokens
    self.sampleRate = sampleRate
    self.seed = seed
    self.dtype = dtype
    self.fileFormat = fileFormat
  }

  /// A shard size that keeps one shard's hook data near 256 MiB: `rowBytes` is the bytes of
  /// all hooks for one token.
  public static func defaultShardTokens(rowBytes: Int) -> Int {
    max(1024, (256 << 20) / max(1, rowBytes) / 1024 * 1024)
  }

  /// Checks the values make sense.
  ///
  /// - Throws: ``ExtractionOptionError`` naming the option (by its property name) and why.
  public func validate() throws(ExtractionOptionError) {
    func fail(_ option: ExtractionOptionError.Option, _ reason: String) -> ExtractionOptionError {
      ExtractionOptionError(option: option, reason: reason)
    }
    guard !hooks.isEmpty else { throw fail(.hooks, "no hooks given") }
    guard context >= 2 else { throw fail(.context, "must be at least 2, got \(context)") }
    guard skipFirst >= 0, skipFirst < context else {
      throw fail(.skipFirst, "must be in 0..<context (\(context)), got \(skipFirst)")
    }
    guard batchTokens >= context else {
      throw fail(.batchTokens, "(\(batchTokens)) must be at least the context (\(context))")
    }
    guard shardTokens > 0 else { throw fail(.shardTokens, "must be positive") }
    if let maxTokens, maxTokens <= 0 { throw fail(.maxTokens, "must be positive") }
    guard sampleRate > 0, sampleRate <= 1 else { throw fail(.sampleRate, "must be in (0, 1]") }
    guard [.float32, .float16, .bfloat16].contains(dtype) else {
      throw fail(.dtype, "must be float32, float16 or bfloat16")
    }
    if fileFormat == .npy, dtype == .bfloat16 {
      throw fail(.dtype, "NumPy has no bfloat16: store float32 or float16 with the npy format, or use safetensors")
    }
  }
}

/// An ``ExtractionOptions`` value that makes no sense. The option is named by its property, so
/// a front end can map it to its own spelling (a command-line flag, a config key).
public struct ExtractionOptionError: Error, CustomStringConvertible, Equatable {
  /// The options, by property name.
  public enum Option: String, Sendable, CaseIterable {
    case hooks, context, bos, skipFirst, batchTokens, shardTokens, maxTokens, sampleRate, seed, dtype, fileFormat
  }
  /// The offending option.
  public var option: Option
  /// Why it is refused.
  public var reason: String

  public init(option: Option, reason: String) {
    self.option = option
    self.reason = reason
  }

  public var description: String { "option \(option.rawValue) \(reason)" }
}
