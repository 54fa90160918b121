import Checkpoints
import FeatureSets
import Foundation
import HookPoints
import TensorCore

/// Options of ``CodeEncoding/encode(_:autoencoder:hook:to:options:progress:)``.
public struct CodeEncodingOptions: Sendable, Equatable {
  /// Rows encoded at a time (memory: about `batchSize · (d + m) · 4` bytes).
  public var batchSize: Int
  /// Rows per shard file (memory: one shard's codes, `shardRows · ⌈m/8⌉` bytes for bits,
  /// `shardRows · nnz-per-row · 8` bytes for sparse codes).
  public var shardRows: Int
  /// Threads for the encoder's matrix product.
  public var context: ComputeContext

  public init(batchSize: Int = 4096, shardRows: Int = 1 << 16, context: ComputeContext = ComputeContext()) {
    self.batchSize = batchSize
    self.shardRows = shardRows
    self.context = context
  }
}

/// How far an encoding (or compression) run has got.
public struct CodeProgress: Sendable, Equatable {
  /// Rows done.
  public var rows: Int
  /// Rows the run will do.
  public var totalRows: Int
  /// Which pass (1-based) of ``passCount``.
  public var pass: Int
  /// Passes over the set in all.
  public var passCount: Int

  public init(rows: Int, totalRows: Int, pass: Int = 1, passCount: Int = 1) {
    self.rows = rows
    self.totalRows = totalRows
    self.pass = pass
    self.passCount = passCount
  }
}

/// Encodes every row of a feature set's hook and writes the codes next to the rows'
/// `token_ids`, `doc_index` and `position`, in shards (see ``CodeManifest``): BAE codes
/// bit-packed (``CodeStorage/bits``), SAE activations as CSR lists (``CodeStorage/sparse``).
///
/// One sequential pass in batches: memory is one batch plus one shard, whatever the set's size.
/// Rows keep the feature set's order (directories in the order given, shards in manifest order).
public enum CodeEncoding {
  /// Shard file name `codes-00000.safetensors`.
  public static func shardName(_ index: Int) -> String { String(format: "codes-%05d.safetensors", index) }

  /// Encodes `set`'s rows of `hook` (default: the autoencoder's input hook) into `directory`.
  ///
  /// BatchTopK codes depend on the batch, so they depend on `options.batchSize` too.
  ///
  /// - Returns: the manifest written to `directory/codes.json`.
  /// - Throws: ``CodeError``: `.outputExists` (the directory already holds `codes.json`),
  ///   `.invalidOption`, the hook errors of ``FeatureSet/inputRecord(for:hook:)``,
  ///   `.featureSet` (a shard that cannot be read), `.writeFailed`.
  public static func encode(
    _ set: FeatureSet, autoencoder: Autoencoder, hook: HookPoint? = nil, to directory: URL,
    options: CodeEncodingOptions = CodeEncodingOptions(), progress: (CodeProgress) -> Void = { _ in }
  ) throws(CodeError) -> CodeManifest {
    guard options.shardRows > 0 else {
      throw .invalidOption("the shard size must be positive, got \(options.shardRows)")
    }
    let record = try set.inputRecord(for: autoencoder, hook: hook)
    var batches = try set.sequentialBatches(of: record, batchSize: options.batchSize)
    let manifestURL = CodeManifest.url(in: directory)
    guard !FileManager.default.fileExists(atPath: manifestURL.path) else { throw .outputExists(manifestURL) }
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
      throw .writeFailed(file: directory, reason: error.localizedDescription)
    }

    let c = autoencoder.configuration
    var manifest = CodeManifest(
      architecture: c.architecture, hook: record.name, inputWidth: c.inputWidth, codeWidth: c.codeWidth)
    var shard = PendingShard(storage: manifest.storage, codeWidth: c.codeWidth)
    while let batch = try batches.nextBatch() {
      let codes = autoencoder.encode(batch.values[0], context: options.context)
      var start = 0
      while start < batch.rows {
        let take = min(batch.rows - start, options.shardRows - shard.rows)
        shard.append(codes, batch: batch, rows: start..<(start + take))
        start += take
        if shard.rows == options.shardRows {
          try flush(&shard, into: &manifest, directory: directory)
        }
      }
      progress(CodeProgress(rows: manifest.rows + shard.rows, totalRows: set.rowCount))
    }
    if shard.rows > 0 { try flush(&shard, into: &manifest, directory: directory) }
    try manifest.write(to: directory)
    return manifest
  }

  /// Writes `shard` as the next shard file, records it, and empties it.
  private static func flush(_ shard: inout PendingShard, into manifest: inout CodeManifest, directory: URL)
    throws(CodeError)
  {
    let name = shardName(manifest.shards.count)
    let url = directory.appendingPathComponent(name)
    var metadata = [
      "format": CodeManifest.formatName, "storage": manifest.storage.rawValue, "hook": manifest.hook,
      "code_width": "\(manifest.codeWidth)",
    ]
    if let order = manifest.bitOrder { metadata["bit_order"] = order }
    var writer = SafetensorsWriter(metadata: metadata)
    switch manifest.storage {
    case .bits:
      writer.add("codes", uint8s: shard.bits, shape: [shard.rows, packedRowBytes(manifest.codeWidth)])
    case .sparse:
      writer.add("indices", int32s: shard.sparse.indices, shape: [shard.sparse.nonzeroCount])
      writer.add("values", floats: shard.sparse.values, shape: [shard.sparse.nonzeroCount])
      writer.add("row_offsets", int64s: shard.sparse.rowOffsets, shape: [shard.rows + 1])
    }
    writer.add("token_ids", int32s: shard.tokenIDs, shape: [shard.rows])
    writer.add("doc_index", int64s: shard.documentIndex, shape: [shard.rows])
    writer.add("position", int32s: shard.positions, shape: [shard.rows])
    do {
      try writer.write(to: url)
    } catch {
      guard case .writeFailed(_, let reason) = error else { throw .writeFailed(file: url, reason: error.description) }
      throw .writeFailed(file: url, reason: reason)
    }
    let bytes = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
    manifest.shards.append(CodeManifest.Shard(name: name, rows: shard.rows, bytes: bytes))
    manifest.rows += shard.rows
    manifest.nonzeroCount += shard.nonzeroCount
    shard.removeAll()
  }
}

/// The rows of the shard being filled.
private struct PendingShard {
  let storage: CodeStorage
  let codeWidth: Int
  var bits: [UInt8] = []
  var sparse: SparseRows
  var tokenIDs: [Int32] = []
  var documentIndex: [Int64] = []
  var positions: [Int32] = []
  var nonzeroCount = 0

  init(storage: CodeStorage, codeWidth: Int) {
    self.storage = storage
    self.codeWidth = codeWidth
    sparse = SparseRows(columns: codeWidth)
  }

  var rows: Int { tokenIDs.count }

  /// Appends rows `range` of `codes` (`[B, m]`) and of `batch`'s index arrays.
  mutating func append(_ codes: Matrix, batch: FeatureBatch, rows range: Range<Int>) {
    let part = codes.rows(range)
    switch storage {
    case .bits:
      let w = packedRowBytes(codeWidth)
      var packed = [UInt8](repeating: 0, count: range.count * w)
      part.withUnsafeBufferPointer { c in
        packed.withUnsafeMutableBufferPointer {
          packCodeBits($0.baseAddress!, codes: c.baseAddress!, rows: range.count, columns: codeWidth)
        }
      }
      nonzeroCount += packed.reduce(0) { $0 + $1.nonzeroBitCount }
      bits += packed
    case .sparse:
      let before = sparse.nonzeroCount
      sparse.append(nonzerosOf: part)
      nonzeroCount += sparse.nonzeroCount - before
    }
    tokenIDs += batch.tokenIDs[range]
    documentIndex += batch.documentIndex[range]
    positions += batch.positions[range]
  }

  mutating func removeAll() {
    bits.removeAll(keepingCapacity: true)
    sparse.removeAll()
    tokenIDs.removeAll(keepingCapacity: true)
    documentIndex.removeAll(keepingCapacity: true)
    positions.removeAll(keepingCapacity: true)
    nonzeroCount = 0
  }
}
