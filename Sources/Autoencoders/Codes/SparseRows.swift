import TensorCore

/// Rows of a sparse matrix in compressed sparse row (CSR) form: the non-zeros of row `r` are
/// `indices[rowOffsets[r] ..< rowOffsets[r + 1]]` (their columns, increasing) and the same
/// range of `values`.
///
/// This is the `sparse` encoding of `bae encode` (`indices` I32 `[nnz]`, `values` F32 `[nnz]`,
/// `row_offsets` I64 `[n + 1]`; SciPy: `csr_matrix((values, indices, row_offsets), shape=(n, m))`)
/// and, without values, the deviation lists of `bae compress`.
public struct SparseRows: Sendable, Equatable {
  /// Columns `m` of the dense matrix.
  public let columns: Int
  /// `[n + 1]`, starting at 0, non-decreasing.
  public private(set) var rowOffsets: [Int64] = [0]
  /// `[nnz]`: the column of each stored entry.
  public private(set) var indices: [Int32] = []
  /// `[nnz]`: the value of each stored entry; empty for index-only rows.
  public private(set) var values: [Float] = []

  /// No rows, of `columns` columns.
  public init(columns: Int) {
    self.columns = columns
  }

  /// Rows from their parts.
  ///
  /// - Precondition: the offsets start at 0, never decrease and end at `indices.count`; every
  ///   index is in `0..<columns`; `values` is empty or as long as `indices`.
  public init(columns: Int, rowOffsets: [Int64], indices: [Int32], values: [Float] = []) {
    precondition(rowOffsets.first == 0 && rowOffsets.last == Int64(indices.count), "row offsets must run from 0 to nnz")
    precondition(zip(rowOffsets, rowOffsets.dropFirst()).allSatisfy { $0 <= $1 }, "row offsets must not decrease")
    precondition(indices.allSatisfy { $0 >= 0 && Int($0) < columns }, "an index is outside 0..<\(columns)")
    precondition(values.isEmpty || values.count == indices.count, "values and indices differ in length")
    self.columns = columns
    self.rowOffsets = rowOffsets
    self.indices = indices
    self.values = values
  }

  /// Rows `n`.
  public var rows: Int { rowOffsets.count - 1 }

  /// Stored entries.
  public var nonzeroCount: Int { indices.count }

  /// Appends every non-zero entry of each row of `matrix` (with its value).
  ///
  /// - Precondition: `matrix.columns == columns`; these rows carry values (or there are none yet).
  public mutating func append(nonzerosOf matrix: Matrix) {
    precondition(matrix.columns == columns, "\(matrix.columns) columns, expected \(columns)")
    precondition(values.count == indices.count, "index-only rows cannot take values")
    matrix.withUnsafeBufferPointer { m in
      for r in 0..<matrix.rows {
        let row = m.baseAddress! + r * columns
        for j in 0..<columns where row[j] != 0 {
          indices.append(Int32(j))
          values.append(row[j])
        }
        rowOffsets.append(Int64(indices.count))
      }
    }
  }

  /// Appends one row given by its stored columns (index-only rows).
  public mutating func appendRow(indices row: [Int32]) {
    precondition(values.isEmpty, "rows with values need values")
    indices += row
    rowOffsets.append(Int64(indices.count))
  }

  /// The dense `[n, m]` matrix (1 at each stored index of index-only rows).
  public func dense() -> Matrix {
    var out = Matrix(rows: rows, columns: columns)
    out.withUnsafeMutableBufferPointer { o in
      for r in 0..<rows {
        for e in Int(rowOffsets[r])..<Int(rowOffsets[r + 1]) {
          o[r * columns + Int(indices[e])] = values.isEmpty ? 1 : values[e]
        }
      }
    }
    return out
  }

  /// Removes every row, keeping the capacity.
  public mutating func removeAll() {
    rowOffsets.removeAll(keepingCapacity: true)
    rowOffsets.append(0)
    indices.removeAll(keepingCapacity: true)
    values.removeAll(keepingCapacity: true)
  }
}
