import Autoencoders
import TensorCore

// Legend: n = tokens, m = code width.

/// The codes of every token of a run, kept compactly between the pass that encodes them and the
/// pass that scores them (a BAE's minority-state and an SAE's standardised scores need
/// statistics over all tokens first): a BAE's bits packed 8 per byte (``packCodeBits``), an
/// SAE's non-zero entries as sparse rows; with the per-code statistics those scores need.
///
/// - Complexity: memory `O(n·m/8)` bytes for bits, `O(nnz)` entries for sparse codes.
public struct CodeTable: Sendable {
  /// Codes per token.
  public let width: Int
  /// Whether codes are bits (stored packed) rather than activations (stored sparse).
  public let binary: Bool
  /// Tokens appended so far.
  public private(set) var rows = 0
  /// Per code, the tokens where it is active: a bit that is 1, an activation that is not 0
  /// (``CodeActivity``'s definition of active).
  public private(set) var active: [Int]
  /// Per code, the sum and the sum of squares of its values over all tokens.
  public private(set) var sum: [Double]
  public private(set) var sumOfSquares: [Double]

  var packed: [UInt8] = []
  var offsets: [Int] = [0]
  var indices: [Int32] = []
  var values: [Float] = []

  /// An empty table for codes of `width` values.
  public init(width: Int, binary: Bool) {
    self.width = width
    self.binary = binary
    active = [Int](repeating: 0, count: width)
    sum = [Double](repeating: 0, count: width)
    sumOfSquares = [Double](repeating: 0, count: width)
  }

  /// Appends the codes of `codes.rows` tokens, `[rows, m]` (bits as 0/1 for a binary table).
  public mutating func append(_ codes: Matrix) {
    precondition(codes.columns == width, "codes of width \(codes.columns), table of width \(width)")
    let m = width
    codes.withUnsafeBufferPointer { h in
      if binary {
        let start = packed.count
        packed.append(contentsOf: repeatElement(0, count: codes.rows * packedRowBytes(m)))
        packed.withUnsafeMutableBufferPointer { out in
          packCodeBits(out.baseAddress! + start, codes: h.baseAddress!, rows: codes.rows, columns: m)
        }
      }
      for r in 0..<codes.rows {
        for j in 0..<m {
          let v = h[r * m + j]
          guard v != 0 else { continue }
          let x = Double(v)
          active[j] += 1
          sum[j] += x
          sumOfSquares[j] += x * x
          if !binary {
            indices.append(Int32(j))
            values.append(v)
          }
        }
        if !binary { offsets.append(indices.count) }
      }
    }
    rows += codes.rows
  }

  /// The mean value of code `j` over all tokens (a bit's firing rate `p_j`).
  public func mean(_ j: Int) -> Double { rows == 0 ? 0 : sum[j] / Double(rows) }

  /// The population standard deviation of code `j` over all tokens.
  public func standardDeviation(_ j: Int) -> Double {
    guard rows > 0 else { return 0 }
    let mean = mean(j)
    return max(0, sumOfSquares[j] / Double(rows) - mean * mean).squareRoot()
  }

  /// The values of token `row`'s codes, `[m]`, into `out`.
  public func codes(row: Int, into out: inout [Double]) {
    precondition(row < rows, "row \(row) of \(rows)")
    if binary {
      let w = packedRowBytes(width)
      packed.withUnsafeBufferPointer { bytes in
        let base = bytes.baseAddress! + row * w
        for j in 0..<width { out[j] = (base[j >> 3] >> UInt8(j & 7)) & 1 == 1 ? 1 : 0 }
      }
    } else {
      for j in 0..<width { out[j] = 0 }
      for e in offsets[row]..<offsets[row + 1] { out[Int(indices[e])] = Double(values[e]) }
    }
  }
}
