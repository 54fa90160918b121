import Foundation
import TensorCore

/// Per-code counts of ones over some rows of binary codes: the code means `p_j`, the majority
/// bits, and the entropy `Σ_j H_b(p_j)`.
///
/// Counts are integers, so `p_j = 0.5` is decided exactly (`2·ones == rows`), whatever the
/// number of rows.
public struct BitStatistics: Sendable, Equatable {
  /// Rows counted.
  public private(set) var rows = 0
  /// `[m]`: rows whose code `j` is 1.
  public private(set) var ones: [Int]

  /// No rows yet, of `codeWidth` codes.
  public init(codeWidth: Int) {
    ones = [Int](repeating: 0, count: codeWidth)
  }

  /// Code width `m`.
  public var codeWidth: Int { ones.count }

  /// Counts rows `range` (default: all) of `codes` (`[B, m]`, 0/1).
  public mutating func add(_ codes: Matrix, rows range: Range<Int>? = nil) {
    precondition(codes.columns == codeWidth, "\(codes.columns) codes per row, expected \(codeWidth)")
    let range = range ?? 0..<codes.rows
    let m = codeWidth
    codes.withUnsafeBufferPointer { c in
      ones.withUnsafeMutableBufferPointer { counts in
        for r in range {
          let row = c.baseAddress! + r * m
          for j in 0..<m where row[j] != 0 { counts[j] += 1 }
        }
      }
    }
    rows += range.count
  }

  /// `p_j = ones_j / rows` (0 before any row).
  public var mean: [Float] {
    ones.map { rows == 0 ? 0 : Float(Double($0) / Double(rows)) }
  }

  /// `round(p_j)` with halves to even, as NumPy rounds: 1 where `p_j > 0.5`, else 0 (so
  /// `p_j = 0.5` gives 0).
  public var majority: [UInt8] {
    ones.map { 2 * $0 > rows ? 1 : 0 }
  }

  /// Whether `p_j` is exactly 0.5.
  public var ties: [Bool] {
    ones.map { rows > 0 && 2 * $0 == rows }
  }

  /// `Σ_j H_b(p_j)` in bits, `H_b(p) = −p·log₂p − (1 − p)·log₂(1 − p)` (0 at p = 0 and 1): the
  /// size per row of the codes under an ideal entropy coder that treats the codes as
  /// independent bits.
  public var entropyBits: Double {
    guard rows > 0 else { return 0 }
    return ones.reduce(0.0) { sum, count in
      let p = Double(count) / Double(rows)
      guard p > 0, p < 1 else { return sum }
      return sum - p * log2(p) - (1 - p) * log2(1 - p)
    }
  }
}
