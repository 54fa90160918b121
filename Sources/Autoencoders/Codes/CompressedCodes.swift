import Checkpoints
import Foundation
import TensorCore

/// A file written by ``BAECompression/compress(_:autoencoder:hook:to:options:progress:)``
/// (safetensors, memory-mapped; rows in the feature set's order):
///
/// | tensor | dtype | shape | |
/// | --- | --- | --- | --- |
/// | `majority` | U8 | `[m]` | `round(p)`, halves to even |
/// | `mean` | F32 | `[m]` | `p`, the code means over the first `mean_rows` rows |
/// | `row_offsets` | I64 | `[n + 1]` | CSR offsets into `indices` |
/// | `indices` | I16 (m ≤ 32768) or I32 | `[nnz]` | per row, the codes that deviate from `majority` (increasing) |
///
/// `__metadata__`: `format` (`bae-compressed`), `version` (`1`), `hook`, `input_width`,
/// `code_width`, `rows`, `mean_rows`, `tie_rule` (``TieRule``).
///
/// In NumPy: `codes = np.tile(majority, (n, 1)); for r in range(n): j = indices[row_offsets[r]:row_offsets[r+1]]; codes[r, j] ^= 1`.
public struct CompressedCodes: @unchecked Sendable {
  /// The value of `__metadata__["format"]`.
  public static let formatName = "bae-compressed"

  /// The file.
  public let url: URL
  /// `[m]`.
  public let majority: [UInt8]
  /// `[m]`.
  public let mean: [Float]
  /// Rows `n`.
  public let rows: Int
  /// Stored deviations `nnz`.
  public let deviationCount: Int
  /// The hook the rows came from (`__metadata__["hook"]`), if recorded.
  public let hook: String?
  /// The autoencoder's input width (`__metadata__["input_width"]`), if recorded.
  public let inputWidth: Int?
  private let file: SafetensorsFile
  private let offsets: UnsafeRawBufferPointer
  private let indices: UnsafeRawBufferPointer
  /// Bytes per stored index: 2 (I16) or 4 (I32).
  private let indexBytes: Int

  /// Opens and checks `url`: the tensors and their dtypes and shapes, and offsets that start at
  /// 0, never decrease and end at `nnz` (indices are checked as rows are read).
  ///
  /// - Throws: ``CodeError/unreadable(file:reason:)``, ``CodeError/malformedFile(file:reason:)``.
  public init(contentsOf url: URL) throws(CodeError) {
    self.url = url
    file = try SafetensorsFile.opened(url)
    guard file.metadata["format"] == Self.formatName else {
      throw .malformedFile(
        file: url, reason: "not a file written by bae compress (no __metadata__ format \(Self.formatName))")
    }
    majority = try file.checkedArray("majority", as: UInt8.self, dtype: .uint8, shape: [nil])
    let m = majority.count
    guard m > 0 else { throw .malformedFile(file: url, reason: "majority is empty (it holds one bit per code)") }
    guard majority.allSatisfy({ $0 <= 1 }) else {
      throw .malformedFile(file: url, reason: "majority holds values other than 0 and 1")
    }
    mean = try file.checkedFloats("mean", shape: [m])
    let (offsetBytes, offsetShape) = try file.checkedBytes("row_offsets", dtype: .int64, shape: [nil])
    let indexType: DType = file.info(for: "indices")?.storedType == DType.int16.rawValue ? .int16 : .int32
    let (indexData, indexShape) = try file.checkedBytes("indices", dtype: indexType, shape: [nil])
    guard offsetShape[0] >= 1 else {
      throw .malformedFile(file: url, reason: "row_offsets is empty (it holds n + 1 offsets)")
    }
    rows = offsetShape[0] - 1
    deviationCount = indexShape[0]
    offsets = offsetBytes
    indices = indexData
    indexBytes = indexType.byteCount
    hook = file.metadata["hook"]
    inputWidth = file.metadata["input_width"].flatMap { Int($0) }
    var previous: Int64 = 0
    for r in 0...rows {
      let offset = offset(r)
      guard r == 0 ? offset == 0 : offset >= previous, offset <= Int64(deviationCount) else {
        throw .malformedFile(
          file: url,
          reason: "row_offsets[\(r)] = \(offset) breaks 0 = row_offsets[0] ≤ … ≤ row_offsets[n] = \(deviationCount)")
      }
      previous = offset
    }
    guard previous == Int64(deviationCount) else {
      throw .malformedFile(file: url, reason: "row_offsets ends at \(previous) but there are \(deviationCount) indices")
    }
  }

  /// Code width `m`.
  public var codeWidth: Int { majority.count }

  private func offset(_ r: Int) -> Int64 {
    Int64(littleEndian: offsets.loadUnaligned(fromByteOffset: 8 * r, as: Int64.self))
  }

  /// The deviation lists of rows `range`.
  ///
  /// - Throws: ``CodeError/malformedFile(file:reason:)`` for an index outside `0..<m`.
  public func deviations(rows range: Range<Int>) throws(CodeError) -> SparseRows {
    precondition(range.lowerBound >= 0 && range.upperBound <= rows, "rows \(range) of \(rows)")
    let base = offset(range.lowerBound)
    let end = offset(range.upperBound)
    var list = [Int32](repeating: 0, count: Int(end - base))
    for e in 0..<list.count {
      let at = indexBytes * (Int(base) + e)
      let j =
        indexBytes == 2
        ? Int32(Int16(littleEndian: indices.loadUnaligned(fromByteOffset: at, as: Int16.self)))
        : Int32(littleEndian: indices.loadUnaligned(fromByteOffset: at, as: Int32.self))
      guard j >= 0, Int(j) < codeWidth else {
        throw .malformedFile(file: url, reason: "indices[\(Int(base) + e)] = \(j) is outside 0..<\(codeWidth)")
      }
      list[e] = j
    }
    let relative = (range.lowerBound...range.upperBound).map { offset($0) - base }
    return SparseRows(columns: codeWidth, rowOffsets: relative, indices: list)
  }

  /// The codes `[B, m]` of rows `range`: the majority code with each row's deviations flipped.
  public func codes(rows range: Range<Int>) throws(CodeError) -> Matrix {
    let list = try deviations(rows: range)
    return list.indices.withUnsafeBufferPointer { idx in
      list.rowOffsets.withUnsafeBufferPointer { off in
        majority.withUnsafeBufferPointer { maj in
          var out = Matrix(rows: range.count, columns: codeWidth)
          out.withUnsafeMutableBufferPointer { o in
            guard range.count > 0 else { return }
            flipDeviations(
              o.baseAddress!, majority: maj.baseAddress!, indices: idx.baseAddress, offsets: off.baseAddress!,
              rows: range.count,
              columns: codeWidth)
          }
          return out
        }
      }
    }
  }
}
