import Checkpoints
import Foundation
import TensorCore

/// Where one shard of a feature set lives and how it is stored.
struct ShardLocation: Sendable {
  /// The feature-set directory.
  let directory: URL
  /// The shard's manifest record.
  let record: FeatureManifest.ShardRecord
  /// Stored dtype of the hook tensors.
  let dtype: DType
  /// File layout.
  let format: FeatureFileFormat

  /// Rows in the shard.
  var rows: Int { record.tokens }

  /// The rows of the shard a pass reads (all unless a row range of the set was asked for).
  var selected: Range<Int>?

  /// ``selected``, or every row.
  var selection: Range<Int> { selected ?? 0..<rows }

  /// The shard file (safetensors) or folder (npy).
  var url: URL {
    switch format {
    case .safetensors: directory.appendingPathComponent("\(record.name).safetensors")
    case .npy: directory.appendingPathComponent(record.name)
    }
  }

  /// The `.npy` file of array `stem` (a hook name or `token_ids`, `doc_index`, `position`).
  func npyFile(_ stem: String) -> URL { directory.appendingPathComponent("\(record.name)/\(stem).npy") }
}

/// One shard opened for reading some of its hooks: every tensor it needs mapped and checked
/// against the manifest (dtype, shape `[tokens, width]`, bounds) before a byte is trusted.
///
/// Copying rows out goes through ``MappedRows``; ``release(below:)`` gives back the pages of
/// rows already read. Dropping the reader unmaps its files.
struct ShardReader: Sendable {
  /// Where the shard lives.
  let location: ShardLocation
  /// Per requested hook, in request order.
  private(set) var values: [MappedRows]
  /// `token_ids` `[n]` int32.
  private(set) var tokenIDs: MappedRows
  /// `doc_index` `[n]` int64.
  private(set) var documentIndex: MappedRows
  /// `position` `[n]` int32.
  private(set) var positions: MappedRows

  /// Rows in the shard.
  var rows: Int { location.rows }

  /// Opens `location` for reading `hooks`.
  ///
  /// - Throws: ``FeatureSetError/unreadableShard(file:reason:)`` naming the file when it cannot
  ///   be mapped, its header is malformed, or a tensor is missing or disagrees with the manifest.
  init(location: ShardLocation, hooks: [HookRecord]) throws(FeatureSetError) {
    self.location = location
    let n = location.rows
    var specs = hooks.map { TensorSpec(name: $0.name, dtype: location.dtype, width: $0.width, rank: 2) }
    specs += [
      TensorSpec(name: "token_ids", dtype: .int32, width: 1, rank: 1),
      TensorSpec(name: "doc_index", dtype: .int64, width: 1, rank: 1),
      TensorSpec(name: "position", dtype: .int32, width: 1, rank: 1),
    ]
    var opened: [MappedRows]
    switch location.format {
    case .safetensors: opened = try Self.openSafetensors(location.url, specs: specs, rows: n)
    case .npy:
      opened = try specs.map { spec throws(FeatureSetError) in
        try Self.openNPY(location.npyFile(spec.name), spec: spec, rows: n)
      }
    }
    positions = opened.removeLast()
    documentIndex = opened.removeLast()
    tokenIDs = opened.removeLast()
    values = opened
  }

  /// What a tensor must look like: `[rows, width]` (rank 2) or `[rows]` (rank 1) of `dtype`.
  private struct TensorSpec {
    var name: String
    var dtype: DType
    var width: Int
    var rank: Int
    func shape(rows: Int) -> [Int] { rank == 2 ? [rows, width] : [rows] }
  }

  private static func map(_ url: URL) throws(FeatureSetError) -> MappedFile {
    do {
      return try MappedFile(url)
    } catch {
      throw .unreadableShard(file: url, reason: "cannot map the file: \(error)")
    }
  }

  private static func openSafetensors(_ url: URL, specs: [TensorSpec], rows: Int) throws(FeatureSetError)
    -> [MappedRows]
  {
    let file = try map(url)
    let header: SafetensorsShardHeader
    do {
      header = try SafetensorsShardHeader(file: file)
    } catch {
      throw .unreadableShard(file: url, reason: error.reason)
    }
    return try specs.map { spec throws(FeatureSetError) in
      guard let tensor = header.tensors[spec.name] else {
        throw .unreadableShard(
          file: url,
          reason: "no tensor '\(spec.name)' (it holds \(header.tensors.keys.sorted().joined(separator: ", ")))")
      }
      guard tensor.dtype == spec.dtype.rawValue else {
        throw .unreadableShard(
          file: url, reason: "tensor '\(spec.name)' is \(tensor.dtype); the manifest says \(spec.dtype.rawValue)")
      }
      guard tensor.shape == spec.shape(rows: rows) else {
        throw .unreadableShard(
          file: url,
          reason: "tensor '\(spec.name)' has shape \(tensor.shape); the manifest says \(spec.shape(rows: rows))")
      }
      let needed = CheckedSize.product(spec.shape(rows: rows) + [spec.dtype.byteCount])
      guard let needed, needed == tensor.end - tensor.begin,
        let mapped = MappedRows(
          file: file, offset: tensor.begin, dtype: spec.dtype, elementsPerRow: spec.width, rows: rows)
      else {
        throw .unreadableShard(
          file: url,
          reason:
            "tensor '\(spec.name)' spans \(tensor.end - tensor.begin) bytes; \(spec.dtype.rawValue) \(spec.shape(rows: rows)) needs \(needed.map(String.init) ?? "more than Int.max")"
        )
      }
      return mapped
    }
  }

  private static func openNPY(_ url: URL, spec: TensorSpec, rows: Int) throws(FeatureSetError) -> MappedRows {
    let file = try map(url)
    let header: NPYArrayHeader
    do {
      header = try NPYArrayHeader(file: file)
    } catch {
      throw .unreadableShard(file: url, reason: error.reason)
    }
    guard let expected = npyDescr(spec.dtype), header.descr == expected else {
      throw .unreadableShard(
        file: url,
        reason:
          "dtype '\(header.descr)'; the manifest says \(spec.dtype.rawValue) ('\(npyDescr(spec.dtype) ?? "none in NumPy")')"
      )
    }
    guard !header.fortranOrder else {
      throw .unreadableShard(file: url, reason: "stored column-major (fortran_order True); rows must be contiguous")
    }
    guard header.shape == spec.shape(rows: rows) else {
      throw .unreadableShard(file: url, reason: "shape \(header.shape); the manifest says \(spec.shape(rows: rows))")
    }
    let needed = CheckedSize.product(spec.shape(rows: rows) + [spec.dtype.byteCount])
    guard let needed, needed == file.count - header.dataOffset,
      let mapped = MappedRows(
        file: file, offset: header.dataOffset, dtype: spec.dtype, elementsPerRow: spec.width, rows: rows)
    else {
      throw .unreadableShard(
        file: url,
        reason:
          "\(file.count - header.dataOffset) data bytes after the header; \(spec.dtype.rawValue) \(spec.shape(rows: rows)) needs \(needed.map(String.init) ?? "more than Int.max")"
      )
    }
    return mapped
  }

  /// Converts rows `range` of requested hook `hook` to `Float` into `output`
  /// (`range.count · width` floats).
  func copyValues(hook: Int, rows range: Range<Int>, to output: UnsafeMutablePointer<Float>) {
    values[hook].convert(rows: range, to: output)
  }

  /// Copies the index arrays of rows `range` into the three outputs (`range.count` each).
  /// The stored little-endian integers are copied as they are: hosts are little-endian
  /// (x86-64, arm64), as for the `Float` conversion of `convertToFloat`.
  func copyIndices(
    rows range: Range<Int>, tokenIDs: UnsafeMutablePointer<Int32>, documentIndex: UnsafeMutablePointer<Int64>,
    positions: UnsafeMutablePointer<Int32>
  ) {
    self.tokenIDs.copyBytes(rows: range, to: tokenIDs)
    self.documentIndex.copyBytes(rows: range, to: documentIndex)
    self.positions.copyBytes(rows: range, to: positions)
  }

  /// Gives back the pages of every tensor that hold only rows before `row`.
  mutating func release(below row: Int) {
    for i in values.indices { values[i].release(below: row) }
    tokenIDs.release(below: row)
    documentIndex.release(below: row)
    positions.release(below: row)
  }
}
