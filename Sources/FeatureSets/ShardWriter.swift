import Checkpoints
import Digests
import Foundation
import TensorCore

/// Rows waiting to be written as one shard: per hook `[rows, width]`, plus the index arrays.
public struct ShardBuffer {
  /// Per hook (in the writer's hook order), `[rows, width]` row-major.
  public var hookValues: [[Float]]
  /// `[rows]`: the token at each row.
  public var tokenIDs: [Int32] = []
  /// `[rows]`: ordinal of each row's document in the corpus.
  public var documentIndex: [Int64] = []
  /// `[rows]`: position of each row in its window.
  public var positions: [Int32] = []

  /// An empty buffer for `hookCount` hooks.
  public init(hookCount: Int) { hookValues = Array(repeating: [], count: hookCount) }

  /// Reserves room for `rows` rows up front, so memory is allocated once per run instead of
  /// growing by doubling (which could overshoot to twice a shard).
  public mutating func reserve(rows: Int, widths: [Int]) {
    for (i, width) in widths.enumerated() { hookValues[i].reserveCapacity(rows * width) }
    tokenIDs.reserveCapacity(rows)
    documentIndex.reserveCapacity(rows)
    positions.reserveCapacity(rows)
  }

  /// Rows buffered.
  public var rows: Int { tokenIDs.count }

  /// Empties the buffer, keeping its memory.
  public mutating func removeAll() {
    for i in hookValues.indices { hookValues[i].removeAll(keepingCapacity: true) }
    tokenIDs.removeAll(keepingCapacity: true)
    documentIndex.removeAll(keepingCapacity: true)
    positions.removeAll(keepingCapacity: true)
  }
}

/// Writes shards of a feature set atomically (temporary file, then rename) and checksums them
/// while writing.
///
/// Layout: `shard-NNNNN.safetensors` with one tensor per hook `[n, width]` in `dtype`, plus
/// `token_ids` `[n]` int32, `doc_index` `[n]` int64 and `position` `[n]` int32; or, for npy, the
/// folder `shard-NNNNN/` with `<hook>.npy`, `token_ids.npy`, `doc_index.npy`, `position.npy`.
public struct ShardWriter: Sendable {
  public let directory: URL
  public let hooks: [HookRecord]
  public let dtype: DType
  public let format: FeatureFileFormat
  /// String metadata stored in each safetensors header (`shard` and `tokens` are added).
  public let metadata: [String: String]

  /// A writer into `directory`.
  public init(directory: URL, hooks: [HookRecord], dtype: DType, format: FeatureFileFormat, metadata: [String: String])
  {
    self.directory = directory
    self.hooks = hooks
    self.dtype = dtype
    self.format = format
    self.metadata = metadata
  }

  /// `shard-00042`.
  public static func name(_ index: Int) -> String { String(format: "shard-%05d", index) }

  /// Writes `buffer` as shard `index` and returns its record (sizes and SHA-256 of its files).
  ///
  /// - Throws: ``FeatureSetError/writeFailed(file:reason:)``; no partial file is left behind.
  public func write(_ buffer: ShardBuffer, index: Int) throws(FeatureSetError) -> FeatureManifest.ShardRecord {
    let name = Self.name(index)
    switch format {
    case .safetensors:
      let file = "\(name).safetensors"
      let record = try writeSafetensors(
        buffer, to: directory.appendingPathComponent(file), relativePath: file, shard: name)
      return FeatureManifest.ShardRecord(name: name, tokens: buffer.rows, files: [record])
    case .npy:
      return FeatureManifest.ShardRecord(name: name, tokens: buffer.rows, files: try writeNPY(buffer, name: name))
    }
  }

  private func writeSafetensors(
    _ buffer: ShardBuffer, to url: URL, relativePath: String, shard: String
  ) throws(FeatureSetError) -> FeatureManifest.FileRecord {
    let n = buffer.rows
    var entries = hooks.map { SafetensorsHeader.Entry(name: $0.name, dtype: dtype, shape: [n, $0.width]) }
    entries += [
      .init(name: "token_ids", dtype: .int32, shape: [n]), .init(name: "doc_index", dtype: .int64, shape: [n]),
      .init(name: "position", dtype: .int32, shape: [n]),
    ]
    var meta = metadata
    meta["shard"] = shard
    meta["tokens"] = String(n)
    let header = SafetensorsHeader(entries: entries, metadata: meta).encoded()
    return try writeAtomically(url, relativePath: relativePath) { sink in
      try sink(header)
      for values in buffer.hookValues { try writeFloats(values, sink) }
      try sink(buffer.tokenIDs.withUnsafeBufferPointer { Data(buffer: $0) })
      try sink(buffer.documentIndex.withUnsafeBufferPointer { Data(buffer: $0) })
      try sink(buffer.positions.withUnsafeBufferPointer { Data(buffer: $0) })
    }
  }

  private func writeNPY(_ buffer: ShardBuffer, name: String) throws(FeatureSetError) -> [FeatureManifest.FileRecord] {
    let folder = directory.appendingPathComponent(name)
    do {
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    } catch {
      throw .writeFailed(file: folder, reason: error.localizedDescription)
    }
    let n = buffer.rows
    var records: [FeatureManifest.FileRecord] = []
    let descr = npyDescr(dtype) ?? "<f4"
    for (h, hook) in hooks.enumerated() {
      let file = "\(name)/\(hook.name).npy"
      records.append(
        try writeAtomically(directory.appendingPathComponent(file), relativePath: file) { sink in
          try sink(npyHeader(descr: descr, shape: [n, hook.width]))
          try writeFloats(buffer.hookValues[h], sink)
        })
    }
    let indexArrays: [(String, String, Data)] = [
      ("token_ids", "<i4", buffer.tokenIDs.withUnsafeBufferPointer { Data(buffer: $0) }),
      ("doc_index", "<i8", buffer.documentIndex.withUnsafeBufferPointer { Data(buffer: $0) }),
      ("position", "<i4", buffer.positions.withUnsafeBufferPointer { Data(buffer: $0) }),
    ]
    for (stem, descr, data) in indexArrays {
      let file = "\(name)/\(stem).npy"
      records.append(
        try writeAtomically(directory.appendingPathComponent(file), relativePath: file) { sink in
          try sink(npyHeader(descr: descr, shape: [n]))
          try sink(data)
        })
    }
    return records
  }

  /// Streams float rows in the shard dtype, 1 MiB at a time.
  private func writeFloats(_ values: [Float], _ sink: AtomicFile.Sink) throws(AtomicFileError) {
    let chunk = 1 << 18
    var start = 0
    while start < values.count {
      let end = min(values.count, start + chunk)
      let data: Data
      switch dtype {
      case .float16:
        data = Data(
          values[start..<end].map { halfBitsFromFloat($0).littleEndian }.withUnsafeBufferPointer { Data(buffer: $0) })
      case .bfloat16:
        data = Data(
          values[start..<end].map { bfloat16BitsFromFloat($0).littleEndian }.withUnsafeBufferPointer {
            Data(buffer: $0)
          })
      default:
        data = values[start..<end].withUnsafeBufferPointer { Data(buffer: $0) }
      }
      try sink(data)
      start = end
    }
  }

  /// Writes the file through ``AtomicFile`` (temporary sibling, fsync, rename), hashing as it goes.
  private func writeAtomically(
    _ url: URL, relativePath: String, _ body: (AtomicFile.Sink) throws -> Void
  ) throws(FeatureSetError) -> FeatureManifest.FileRecord {
    var hasher = SHA256()
    let bytes: Int
    do {
      bytes = try AtomicFile.write(to: url, observe: { hasher.update(data: $0) }, body)
    } catch let error as AtomicFileError {
      throw .writeFailed(file: error.file, reason: error.reason)
    } catch {
      throw .writeFailed(file: url, reason: String(describing: error))
    }
    let digest = hasher.finalize().hex
    return FeatureManifest.FileRecord(path: relativePath, bytes: bytes, sha256: digest)
  }
}
