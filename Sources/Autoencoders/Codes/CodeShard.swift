import Checkpoints
import Foundation
import TensorCore

/// One shard of a codes directory (``CodeManifest``), read back whole: the codes as a dense
/// matrix and the rows' index arrays.
public struct CodeShard: Sendable, Equatable {
  /// `[n, m]`: 0/1 for bits, the activations for sparse codes.
  public var codes: Matrix
  /// `[n]`.
  public var tokenIDs: [Int32]
  /// `[n]`.
  public var documentIndex: [Int64]
  /// `[n]`.
  public var positions: [Int32]

  /// Reads shard `index` of the codes directory `directory` described by `manifest`.
  ///
  /// - Throws: ``CodeError/unreadable(file:reason:)``, ``CodeError/malformedFile(file:reason:)``
  ///   (a tensor missing or of another dtype or shape, CSR offsets or indices out of range).
  public init(directory: URL, manifest: CodeManifest, index: Int) throws(CodeError) {
    let record = manifest.shards[index]
    let url = directory.appendingPathComponent(record.name)
    let file = try SafetensorsFile.opened(url)
    let (n, m) = (record.rows, manifest.codeWidth)
    switch manifest.storage {
    case .bits:
      let (raw, _) = try file.checkedBytes("codes", dtype: .uint8, shape: [n, packedRowBytes(m)])
      var codes = Matrix(rows: n, columns: m)
      codes.withUnsafeMutableBufferPointer { out in
        guard n > 0 else { return }
        unpackCodeBits(
          out.baseAddress!, packed: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), rows: n, columns: m)
      }
      self.codes = codes
    case .sparse:
      let offsets = try file.checkedArray("row_offsets", as: Int64.self, dtype: .int64, shape: [n + 1])
      let indices = try file.checkedArray("indices", as: Int32.self, dtype: .int32, shape: [nil])
      let values = try file.checkedFloats("values", shape: [indices.count])
      guard offsets.first == 0, offsets.last == Int64(indices.count),
        zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 })
      else {
        throw .malformedFile(file: url, reason: "row_offsets must run from 0 to \(indices.count) without decreasing")
      }
      guard indices.allSatisfy({ $0 >= 0 && Int($0) < m }) else {
        throw .malformedFile(file: url, reason: "an index is outside 0..<\(m)")
      }
      codes = SparseRows(columns: m, rowOffsets: offsets, indices: indices, values: values).dense()
    }
    tokenIDs = try file.checkedArray("token_ids", as: Int32.self, dtype: .int32, shape: [n])
    documentIndex = try file.checkedArray("doc_index", as: Int64.self, dtype: .int64, shape: [n])
    positions = try file.checkedArray("position", as: Int32.self, dtype: .int32, shape: [n])
  }
}
