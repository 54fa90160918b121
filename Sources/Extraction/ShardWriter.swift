import Checkpoints
import Crypto
import Foundation
import TensorCore

#if canImport(Glibc)
  import Glibc
#endif

/// Rows waiting to be written as one shard: per hook `[rows, width]`, plus the index arrays.
struct ShardBuffer {
  var hookValues: [[Float]]
  var tokenIDs: [Int32] = []
  var documentIndex: [Int64] = []
  var positions: [Int32] = []

  init(hookCount: Int) { hookValues = Array(repeating: [], count: hookCount) }

  /// Reserves room for `rows` rows up front, so memory is allocated once per run instead of
  /// growing by doubling (which could overshoot to twice a shard).
  mutating func reserve(rows: Int, widths: [Int]) {
    for (i, width) in widths.enumerated() { hookValues[i].reserveCapacity(rows * width) }
    tokenIDs.reserveCapacity(rows)
    documentIndex.reserveCapacity(rows)
    positions.reserveCapacity(rows)
  }

  var rows: Int { tokenIDs.count }

  mutating func removeAll() {
    for i in hookValues.indices { hookValues[i].removeAll(keepingCapacity: true) }
    tokenIDs.removeAll(keepingCapacity: true)
    documentIndex.removeAll(keepingCapacity: true)
    positions.removeAll(keepingCapacity: true)
  }
}

/// Writes shards atomically and checksums them while writing.
struct ShardWriter {
  let directory: URL
  let hooks: [FeatureManifest.HookRecord]
  let dtype: DType
  let format: FeatureFileFormat
  let metadata: [String: String]

  /// `shard-00042`.
  static func name(_ index: Int) -> String { String(format: "shard-%05d", index) }

  /// Writes `buffer` as shard `index`.
  func write(_ buffer: ShardBuffer, index: Int) throws(ExtractionError) -> FeatureManifest.ShardRecord {
    let name = Self.name(index)
    switch format {
    case .safetensors:
      let file = "\(name).safetensors"
      let record = try writeSafetensors(buffer, to: directory.appendingPathComponent(file), relativePath: file, shard: name)
      return FeatureManifest.ShardRecord(name: name, tokens: buffer.rows, files: [record])
    case .npy:
      return FeatureManifest.ShardRecord(name: name, tokens: buffer.rows, files: try writeNPY(buffer, name: name))
    }
  }

  private func writeSafetensors(
    _ buffer: ShardBuffer, to url: URL, relativePath: String, shard: String
  ) throws(ExtractionError) -> FeatureManifest.FileRecord {
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
    return try writeAtomically(url, relativePath: relativePath) { sink throws(ExtractionError) in
      try sink(header)
      for values in buffer.hookValues { try writeFloats(values, sink) }
      try sink(buffer.tokenIDs.withUnsafeBufferPointer { Data(buffer: $0) })
      try sink(buffer.documentIndex.withUnsafeBufferPointer { Data(buffer: $0) })
      try sink(buffer.positions.withUnsafeBufferPointer { Data(buffer: $0) })
    }
  }

  private func writeNPY(_ buffer: ShardBuffer, name: String) throws(ExtractionError) -> [FeatureManifest.FileRecord] {
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
        try writeAtomically(directory.appendingPathComponent(file), relativePath: file) { sink throws(ExtractionError) in
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
        try writeAtomically(directory.appendingPathComponent(file), relativePath: file) { sink throws(ExtractionError) in
          try sink(npyHeader(descr: descr, shape: [n]))
          try sink(data)
        })
    }
    return records
  }

  /// Streams float rows in the shard dtype, 1 MiB at a time.
  private func writeFloats(_ values: [Float], _ sink: (Data) throws(ExtractionError) -> Void) throws(ExtractionError) {
    let chunk = 1 << 18
    var start = 0
    while start < values.count {
      let end = min(values.count, start + chunk)
      let data: Data
      switch dtype {
      case .float16:
        data = Data(values[start..<end].map { halfBitsFromFloat($0).littleEndian }.withUnsafeBufferPointer { Data(buffer: $0) })
      case .bfloat16:
        data = Data(values[start..<end].map { bfloat16BitsFromFloat($0).littleEndian }.withUnsafeBufferPointer { Data(buffer: $0) })
      default:
        data = values[start..<end].withUnsafeBufferPointer { Data(buffer: $0) }
      }
      try sink(data)
      start = end
    }
  }

  /// Writes through `body` into a temporary file next to `url`, hashing as it goes, then
  /// renames it into place; the temporary file is removed on failure.
  private func writeAtomically(
    _ url: URL, relativePath: String,
    _ body: ((Data) throws(ExtractionError) -> Void) throws(ExtractionError) -> Void
  ) throws(ExtractionError) -> FeatureManifest.FileRecord {
    let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial")
    guard FileManager.default.createFile(atPath: temporary.path, contents: nil),
      let handle = try? FileHandle(forWritingTo: temporary)
    else {
      throw .writeFailed(file: url, reason: "cannot create \(temporary.lastPathComponent)")
    }
    var hasher = SHA256()
    var bytes = 0
    do throws(ExtractionError) {
      try body { data throws(ExtractionError) in
        do {
          try handle.write(contentsOf: data)
        } catch {
          throw .writeFailed(file: url, reason: error.localizedDescription)
        }
        hasher.update(data: data)
        bytes += data.count
      }
      do {
        try handle.synchronize()
        try handle.close()
      } catch {
        throw ExtractionError.writeFailed(file: url, reason: error.localizedDescription)
      }
      guard rename(temporary.path, url.path) == 0 else {
        throw ExtractionError.writeFailed(file: url, reason: String(cString: strerror(errno)))
      }
    } catch {
      try? handle.close()
      try? FileManager.default.removeItem(at: temporary)
      throw error
    }
    let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
    return FeatureManifest.FileRecord(path: relativePath, bytes: bytes, sha256: digest)
  }
}
