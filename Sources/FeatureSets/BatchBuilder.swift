/// The arrays of a ``FeatureBatch`` being filled row by row (by the shuffled order).
struct BatchBuilder {
  /// Width of each hook.
  let widths: [Int]
  /// Per hook, `[rows, width]`.
  var values: [[Float]]
  var tokenIDs: [Int32]
  var documentIndex: [Int64]
  var positions: [Int32]
  /// Rows filled so far.
  private(set) var count = 0

  /// A batch of `rows` rows of hooks of `widths`, none filled yet.
  init(rows: Int, widths: [Int]) {
    self.widths = widths
    values = widths.map { [Float](repeating: 0, count: rows * $0) }
    tokenIDs = [Int32](repeating: 0, count: rows)
    documentIndex = [Int64](repeating: 0, count: rows)
    positions = [Int32](repeating: 0, count: rows)
  }

  /// Writes hook `hook`'s values of the next row (`widths[hook]` floats from `source`).
  mutating func setValues(hook: Int, from source: UnsafePointer<Float>) {
    precondition(count < tokenIDs.count, "batch already full")
    let width = widths[hook]
    let row = count
    values[hook].withUnsafeMutableBufferPointer { ($0.baseAddress! + row * width).update(from: source, count: width) }
  }

  /// Completes the next row with its index entries (after ``setValues(hook:from:)`` for every hook).
  mutating func finishRow(tokenID: Int32, documentIndex document: Int64, position: Int32) {
    precondition(count < tokenIDs.count, "batch already full")
    tokenIDs[count] = tokenID
    documentIndex[count] = document
    positions[count] = position
    count += 1
  }
}
