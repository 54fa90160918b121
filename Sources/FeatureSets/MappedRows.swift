import Checkpoints
import TensorCore

#if canImport(Glibc)
  import Glibc
#endif

/// The system page size, for giving back whole pages of a mapping.
private let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

/// `rows` consecutive rows of `elementsPerRow` little-endian elements of `dtype`, stored at
/// byte `offset` of a memory-mapped file: one tensor of a shard.
///
/// Reading is sequential, and ``release(below:)`` hands the pages behind the read cursor back
/// to the kernel (`madvise(MADV_DONTNEED)`), so the resident memory of a long pass over a large
/// shard stays at a few pages per tensor instead of growing to the size of the shard.
struct MappedRows: Sendable {
  /// The mapping (kept alive as long as these rows are).
  let file: MappedFile
  /// Byte offset of row 0 in the file.
  let offset: Int
  /// Element type as stored.
  let dtype: DType
  /// Elements per row (a hook's width, or 1 for an index array).
  let elementsPerRow: Int
  /// Number of rows.
  let rows: Int
  /// Bytes per row.
  let rowBytes: Int
  /// File offset below which pages have been given back.
  private var releasedEnd: Int

  /// The rows at `offset`, or `nil` when they do not fit inside `file` (sizes are checked for
  /// overflow, since they come from a file header).
  init?(file: MappedFile, offset: Int, dtype: DType, elementsPerRow: Int, rows: Int) {
    guard let rowBytes = CheckedSize.product(elementsPerRow, dtype.byteCount),
      let bytes = CheckedSize.product(rowBytes, rows), let end = CheckedSize.sum(offset, bytes), end <= file.count
    else { return nil }
    self.file = file
    self.offset = offset
    self.dtype = dtype
    self.elementsPerRow = elementsPerRow
    self.rows = rows
    self.rowBytes = rowBytes
    releasedEnd = offset
  }

  /// Start of row `row` (only called with validated, non-empty ranges, so the mapping exists).
  private func address(ofRow row: Int) -> UnsafeRawPointer { file.bytes! + offset + row * rowBytes }

  /// Converts rows `range` to `Float`, row-major, into `output`
  /// (`range.count · elementsPerRow` floats).
  /// - Precondition: `dtype.isFloatingPoint`, `range` inside `0..<rows`.
  func convert(rows range: Range<Int>, to output: UnsafeMutablePointer<Float>) {
    precondition(range.lowerBound >= 0 && range.upperBound <= rows, "rows \(range) outside 0..<\(rows)")
    guard !range.isEmpty else { return }
    convertToFloat(output, from: address(ofRow: range.lowerBound), dtype: dtype, count: range.count * elementsPerRow)
  }

  /// Copies rows `range` byte for byte into `output` (`range.count · rowBytes` bytes); for the
  /// integer index arrays, whose stored type is the in-memory type on little-endian hosts.
  /// - Precondition: `range` inside `0..<rows`.
  func copyBytes(rows range: Range<Int>, to output: UnsafeMutableRawPointer) {
    precondition(range.lowerBound >= 0 && range.upperBound <= rows, "rows \(range) outside 0..<\(rows)")
    guard !range.isEmpty else { return }
    output.copyMemory(from: address(ofRow: range.lowerBound), byteCount: range.count * rowBytes)
  }

  /// Gives back the whole pages that hold only rows before `row` (and bytes before this
  /// tensor, which other readers of the same mapping may still want: a dropped page is read
  /// from the file again if touched, so this only ever costs time, never correctness).
  mutating func release(below row: Int) {
    guard let base = file.bytes else { return }
    let start = (max(releasedEnd, offset) + pageSize - 1) / pageSize * pageSize
    let end = (offset + min(row, rows) * rowBytes) / pageSize * pageSize
    guard end > start else { return }
    // The mapping is private and read-only, so dropping its pages loses nothing; a failure
    // (which needs an unaligned or unmapped range, impossible here) would only keep memory.
    _ = madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, MADV_DONTNEED)
    releasedEnd = end
  }
}
