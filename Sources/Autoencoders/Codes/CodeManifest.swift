import Checkpoints
import Foundation
import JSONSupport

/// How `bae encode` stores codes.
public enum CodeStorage: String, Codable, Sendable, CaseIterable {
  /// BAE codes, bit-packed: `codes` U8 `[n, ⌈m/8⌉]`, bit j of a row in byte j / 8 at bit j % 8,
  /// least significant bit first (`np.unpackbits(codes, axis=1, count=m, bitorder="little")`).
  case bits
  /// SAE activations in CSR form: `indices` I32 `[nnz]`, `values` F32 `[nnz]`, `row_offsets`
  /// I64 `[n + 1]` (each shard's offsets start at 0).
  case sparse

  /// The storage of `architecture`'s codes.
  public init(architecture: Architecture) {
    self = architecture.isBinary ? .bits : .sparse
  }
}

/// `codes.json`, the manifest of a codes directory written by ``CodeEncoding``: written last,
/// so a directory without it holds no finished run.
///
/// ```
/// <out>/codes.json
/// <out>/codes-00000.safetensors   codes (bits) or indices/values/row_offsets (sparse),
///                                 token_ids I32 [n], doc_index I64 [n], position I32 [n]
/// ```
public struct CodeManifest: Codable, Sendable, Equatable {
  /// One shard file.
  public struct Shard: Codable, Sendable, Equatable {
    /// File name inside the directory (`codes-00000.safetensors`).
    public var name: String
    /// Rows (tokens).
    public var rows: Int
    /// Size in bytes.
    public var bytes: Int

    public init(name: String, rows: Int, bytes: Int) {
      self.name = name
      self.rows = rows
      self.bytes = bytes
    }
  }

  /// `codes.json`.
  public static let fileName = "codes.json"
  /// The value of ``format``.
  public static let formatName = "bae-codes"

  /// Always `bae-codes`.
  public var format = CodeManifest.formatName
  /// Format version (1).
  public var version = 1
  /// The autoencoder's architecture.
  public var architecture: Architecture
  /// How the codes are stored.
  public var storage: CodeStorage
  /// `little` for ``CodeStorage/bits`` (least significant bit first); `nil` otherwise.
  public var bitOrder: String?
  /// The hook encoded.
  public var hook: String
  /// Input width `d`.
  public var inputWidth: Int
  /// Code width `m`.
  public var codeWidth: Int
  /// Rows in all shards.
  public var rows: Int
  /// Non-zero codes in all shards (ones, for bits).
  public var nonzeroCount: Int
  /// Shards, in the feature set's row order.
  public var shards: [Shard]

  public init(
    architecture: Architecture, hook: String, inputWidth: Int, codeWidth: Int, rows: Int = 0, nonzeroCount: Int = 0,
    shards: [Shard] = []
  ) {
    self.architecture = architecture
    storage = CodeStorage(architecture: architecture)
    bitOrder = storage == .bits ? "little" : nil
    self.hook = hook
    self.inputWidth = inputWidth
    self.codeWidth = codeWidth
    self.rows = rows
    self.nonzeroCount = nonzeroCount
    self.shards = shards
  }

  enum CodingKeys: String, CodingKey {
    case format, version, architecture, storage, hook, rows, shards
    case bitOrder = "bit_order"
    case inputWidth = "input_width"
    case codeWidth = "code_width"
    case nonzeroCount = "nonzero_count"
  }

  /// `codes.json` inside `directory`.
  public static func url(in directory: URL) -> URL { directory.appendingPathComponent(fileName) }

  /// Reads `directory/codes.json`.
  ///
  /// - Throws: ``CodeError/unreadable(file:reason:)``, ``CodeError/malformedFile(file:reason:)``.
  public static func load(from directory: URL) throws(CodeError) -> CodeManifest {
    let file = url(in: directory)
    let data: Data
    do {
      data = try Data(contentsOf: file)
    } catch {
      throw .unreadable(file: file, reason: error.localizedDescription)
    }
    let manifest: CodeManifest
    do {
      manifest = try JSONDecoder().decode(CodeManifest.self, from: data)
    } catch let error as DecodingError {
      throw .malformedFile(file: file, reason: error.plainDescription)
    } catch {
      throw .malformedFile(file: file, reason: "\(error)")
    }
    guard manifest.format == formatName, manifest.version == 1 else {
      throw .malformedFile(
        file: file, reason: "not a bae codes manifest (format \(manifest.format), version \(manifest.version))")
    }
    return manifest
  }

  /// Writes `directory/codes.json` atomically.
  func write(to directory: URL) throws(CodeError) {
    let file = Self.url(in: directory)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    do {
      try AtomicFile.write(try encoder.encode(self), to: file)
    } catch {
      throw .writeFailed(file: file, reason: (error as? AtomicFileError)?.reason ?? "\(error)")
    }
  }
}
