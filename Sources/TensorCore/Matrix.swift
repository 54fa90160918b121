/// A row-major `[rows, columns]` matrix of `Float`s with owned storage (value semantics).
///
/// The shaped type of training and analysis code: autoencoder weights, gradients, optimiser
/// moments and batches. Products go through ``gemm(_:ldc:_:lda:transposeA:_:ldb:transposeB:m:n:k:alpha:beta:threads:)``
/// (OpenBLAS), split over a ``ComputeContext``'s threads.
public struct Matrix: Sendable, Hashable, CustomStringConvertible {
  /// Number of rows.
  public private(set) var rows: Int
  /// Number of columns (values per row).
  public private(set) var columns: Int
  /// The values, row after row; always `rows · columns` of them. Elements may be changed in
  /// place (`m.values[i] = v`); changing the count breaks the matrix (checked where the shape is
  /// used: views, products).
  public var values: [Float]

  /// A `[rows, columns]` matrix filled with `value`.
  public init(rows: Int, columns: Int, repeating value: Float = 0) {
    precondition(rows >= 0 && columns >= 0, "negative matrix shape [\(rows), \(columns)]")
    self.rows = rows
    self.columns = columns
    values = [Float](repeating: value, count: rows * columns)
  }

  /// A `[rows, columns]` matrix holding `values` row-major.
  /// - Precondition: `values.count == rows · columns`.
  public init(rows: Int, columns: Int, values: [Float]) {
    precondition(
      rows >= 0 && columns >= 0 && values.count == rows * columns,
      "\(values.count) values for shape [\(rows), \(columns)]")
    self.rows = rows
    self.columns = columns
    self.values = values
  }

  /// A `[rows, columns]` matrix of independent normal draws with standard deviation `std`.
  public static func normal(rows: Int, columns: Int, std: Float, using random: inout SeededRandom) -> Matrix {
    var m = Matrix(rows: rows, columns: columns)
    for i in m.values.indices { m.values[i] = Float(random.normal()) * std }
    return m
  }

  /// A `[rows, columns]` matrix of independent uniform draws in `[-bound, bound)`.
  public static func uniform(rows: Int, columns: Int, bound: Float, using random: inout SeededRandom) -> Matrix {
    var m = Matrix(rows: rows, columns: columns)
    for i in m.values.indices { m.values[i] = Float(random.uniform(-Double(bound), Double(bound))) }
    return m
  }

  /// `[rows, columns]`.
  public var shape: [Int] { [rows, columns] }

  /// Number of values.
  public var count: Int { values.count }

  /// The value at (`row`, `column`).
  public subscript(row: Int, column: Int) -> Float {
    get { values[row * columns + column] }
    set { values[row * columns + column] = newValue }
  }

  /// Row `r` (a slice of ``values``).
  public func row(_ r: Int) -> ArraySlice<Float> { values[(r * columns)..<((r + 1) * columns)] }

  /// A copy of rows `range`, `[range.count, columns]`.
  public func rows(_ range: Range<Int>) -> Matrix {
    Matrix(
      rows: range.count, columns: columns,
      values: Array(values[(range.lowerBound * columns)..<(range.upperBound * columns)]))
  }

  /// The rows at `indices`, in that order, `[indices.count, columns]`.
  public func gathering(rows indices: [Int]) -> Matrix {
    var out = Matrix(rows: indices.count, columns: columns)
    for (i, r) in indices.enumerated() { out.values.replaceSubrange((i * columns)..<((i + 1) * columns), with: row(r)) }
    return out
  }

  /// The transpose, `[columns, rows]`.
  public func transposed() -> Matrix {
    var out = Matrix(rows: columns, columns: rows)
    for r in 0..<rows {
      for c in 0..<columns { out.values[c * rows + r] = values[r * columns + c] }
    }
    return out
  }

  /// Changes the shape without moving values.
  /// - Precondition: `rows · columns == count`.
  public mutating func reshape(rows newRows: Int, columns newColumns: Int) {
    precondition(newRows * newColumns == values.count, "cannot reshape \(count) values to [\(newRows), \(newColumns)]")
    rows = newRows
    columns = newColumns
  }

  /// Read access to the values as a view.
  public func withView<R>(_ body: (MatrixView) throws -> R) rethrows -> R {
    precondition(values.count == rows * columns, "\(values.count) values for shape [\(rows), \(columns)]")
    return try values.withUnsafeBufferPointer {
      try body(MatrixView(base: $0.baseAddress!, rows: rows, columns: columns, stride: columns))
    }
  }

  /// Write access to the values as a view.
  public mutating func withMutableView<R>(_ body: (MutableMatrixView) throws -> R) rethrows -> R {
    let (r, c) = (rows, columns)
    return try values.withUnsafeMutableBufferPointer {
      try body(MutableMatrixView(base: $0.baseAddress!, rows: r, columns: c, stride: c))
    }
  }

  /// Read access to the raw values.
  public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
    try values.withUnsafeBufferPointer(body)
  }

  /// Write access to the raw values.
  public mutating func withUnsafeMutableBufferPointer<R>(_ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R)
    rethrows -> R
  {
    try values.withUnsafeMutableBufferPointer(body)
  }

  public var description: String { "Matrix[\(rows), \(columns)]" }
}

/// A read-only strided view of a row-major matrix (rows `stride` floats apart), valid only inside
/// the closure that produced it.
public struct MatrixView {
  public let base: UnsafePointer<Float>
  public let rows: Int
  public let columns: Int
  /// Distance between the starts of two rows, in floats (≥ `columns`).
  public let stride: Int

  public init(base: UnsafePointer<Float>, rows: Int, columns: Int, stride: Int) {
    self.base = base
    self.rows = rows
    self.columns = columns
    self.stride = stride
  }

  /// Rows `range` of this view.
  public func rows(_ range: Range<Int>) -> MatrixView {
    MatrixView(base: base + range.lowerBound * stride, rows: range.count, columns: columns, stride: stride)
  }

  public subscript(row: Int, column: Int) -> Float { base[row * stride + column] }
}

/// A writable strided view of a row-major matrix, valid only inside the closure that produced it.
public struct MutableMatrixView {
  public let base: UnsafeMutablePointer<Float>
  public let rows: Int
  public let columns: Int
  public let stride: Int

  public init(base: UnsafeMutablePointer<Float>, rows: Int, columns: Int, stride: Int) {
    self.base = base
    self.rows = rows
    self.columns = columns
    self.stride = stride
  }

  /// The same memory, read-only.
  public var readOnly: MatrixView { MatrixView(base: base, rows: rows, columns: columns, stride: stride) }

  /// Rows `range` of this view.
  public func rows(_ range: Range<Int>) -> MutableMatrixView {
    MutableMatrixView(base: base + range.lowerBound * stride, rows: range.count, columns: columns, stride: stride)
  }

  public subscript(row: Int, column: Int) -> Float {
    get { base[row * stride + column] }
    nonmutating set { base[row * stride + column] = newValue }
  }
}
