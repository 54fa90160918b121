import TensorCore

/// What happens to a bit of a code whose mean is exactly 0.5.
public enum TieRule: String, Sendable, Codable, CaseIterable {
  /// The reference's rule (`util/compression.py`): a bit is stored when `|h_j − p_j| > 0.5`,
  /// so where `p_j = 0.5` nothing is stored and, the majority bit being `round(0.5) = 0`, a 1
  /// there decodes as 0 (lossy).
  case reference
  /// Every bit that differs from the majority bit is stored, ties included (lossless).
  case lossless
}

/// The reference's compression model of binary codes (`shared/reference/bae-method.md` §9): the
/// majority bits `round(p)` of the code means `p`, and per row the list of codes that deviate
/// from them.
///
/// A row is stored as the indices `j` with `|h_j − p_j| > 0.5` (the bits that differ from the
/// majority bit; see ``TieRule`` for `p_j = 0.5`), and rebuilt by flipping those bits of the
/// majority code. Storage therefore grows with how surprising a row is under `p`.
public struct MajorityCode: Sendable, Equatable {
  /// `[m]`: `round(p_j)`, halves to even (0 or 1).
  public let majority: [UInt8]
  /// `[m]`: the code means `p_j` the model was made from.
  public let mean: [Float]
  /// `[m]`: codes whose deviations are not stored (`p_j = 0.5` under ``TieRule/reference``).
  public let dropped: [Bool]

  /// The model of codes with statistics `statistics` (see ``BitStatistics``).
  public init(statistics: BitStatistics, tieRule: TieRule = .reference) {
    majority = statistics.majority
    mean = statistics.mean
    dropped = tieRule == .reference ? statistics.ties : [Bool](repeating: false, count: statistics.codeWidth)
  }

  /// Code width `m`.
  public var codeWidth: Int { majority.count }

  /// Appends one index-only row to `deviations` per row of `codes` (`[B, m]`, 0/1): the
  /// codes that differ from the majority bit and are not dropped.
  ///
  /// - Returns: the bits that differ from the majority but were dropped (ties under
  ///   ``TieRule/reference``), which decode wrongly.
  @discardableResult
  public func appendDeviations(of codes: Matrix, rows range: Range<Int>? = nil, to deviations: inout SparseRows) -> Int
  {
    var lost = 0
    var row: [Int32] = []
    for r in range ?? 0..<codes.rows {
      row.removeAll(keepingCapacity: true)
      lost += self.deviations(of: codes, row: r, into: &row)
      deviations.appendRow(indices: row)
    }
    return lost
  }

  /// The stored deviations of row `r` of `codes` into `indices` (cleared first by the caller).
  ///
  /// - Returns: the deviations dropped.
  func deviations(of codes: Matrix, row r: Int, into indices: inout [Int32]) -> Int {
    let m = codeWidth
    var lost = 0
    codes.withUnsafeBufferPointer { c in
      let h = c.baseAddress! + r * m
      for j in 0..<m where (h[j] != 0) != (majority[j] != 0) {
        if dropped[j] { lost += 1 } else { indices.append(Int32(j)) }
      }
    }
    return lost
  }

  /// Rebuilds codes `[n, m]` from their deviation rows: the majority code with each stored
  /// index flipped.
  public func codes(from deviations: SparseRows) -> Matrix {
    precondition(deviations.columns == codeWidth, "\(deviations.columns) columns, expected \(codeWidth)")
    return deviations.indices.withUnsafeBufferPointer { indices in
      deviations.rowOffsets.withUnsafeBufferPointer { offsets in
        majority.withUnsafeBufferPointer { majority in
          var out = Matrix(rows: deviations.rows, columns: codeWidth)
          out.withUnsafeMutableBufferPointer { o in
            flipDeviations(
              o.baseAddress!, majority: majority.baseAddress!, indices: indices.baseAddress,
              offsets: offsets.baseAddress!,
              rows: deviations.rows, columns: codeWidth)
          }
          return out
        }
      }
    }
  }
}

/// Codes `[B, m]` from the majority bits and deviation lists: row `r` is `majority` with the
/// bits at `indices[offsets[r] − offsets[0] ..< offsets[r + 1] − offsets[0]]` flipped.
///
/// - Parameters:
///   - codes: output `[B, m]`.
///   - majority: `[m]` (0/1).
///   - indices: the deviations of these rows (indices in `0..<m`); `nil` only when there are none.
///   - offsets: `[B + 1]` CSR offsets (relative to `offsets[0]`).
func flipDeviations(
  _ codes: UnsafeMutablePointer<Float>, majority: UnsafePointer<UInt8>, indices: UnsafePointer<Int32>?,
  offsets: UnsafePointer<Int64>, rows: Int, columns: Int
) {
  let base = offsets[0]
  for r in 0..<rows {
    let row = codes + r * columns
    for j in 0..<columns { row[j] = majority[j] != 0 ? 1 : 0 }
    for e in (offsets[r] - base)..<(offsets[r + 1] - base) {
      let j = Int(indices![Int(e)])
      row[j] = 1 - row[j]
    }
  }
}
