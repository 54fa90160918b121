import CKernels
import TensorCore

// Legend: B = batch rows, m = code width (d'), W = ⌈B/64⌉ words per packed column,
// V = ⌈m/64⌉ words per packed row. Codes are row-major [B, m] of exact 0/1 values.
//
// The covariance penalty of Kernels+Covariance.swift computed exactly for binary codes:
//   n_j  = Σ_i h_ij                 (column counts)
//   N_jk = Σ_i h_ij·h_ik            (co-occurrence counts, popcount of ANDed column bitsets)
//   C_jk = (N_jk − n_j·n_k/B)/(B − 1) = (B·N_jk − n_j·n_k) / (B·(B − 1))
// so every sign(C_jk) comes from the integer B·N_jk − n_j·n_k (no rounding, sign(0) = 0) and
//   D = Σ_{j≠k} |B·N_jk − n_j·n_k| / (B·(B − 1))  (an exact integer sum, one division).
// Gradient: X_c·S = H·S − 1·(p·S) with p = n/B, and for 0/1 codes
//   (H·S)_ij = Σ_{k: h_ik = 1} S_kj = popcount(row_i & P_j) − popcount(row_i & N_j)
// where P_j / N_j are the bitsets of {k : S_jk = +1} / {k : S_jk = −1} (S is symmetric), so
//   ∂D/∂h_ij = 2·(B·t_ij − q_j) / (B·(B − 1)),  t_ij = (H·S)_ij,  q_j = Σ_k n_k·S_kj,
// again exact integers up to the last multiplication.
//
// Bit order (every bitset here): bit b of word w (b = 0 is the least significant bit) holds
// element 64·w + b; padding bits past the end are 0. Packed codes are row-major, one bitset's
// words contiguous:
//   column bitsets [m, W]: word w of column j = rows 64w … 64w+63 of column j, at bits[j·W + w].
//   row bitsets    [B, V]: word v of row i = columns 64v … 64v+63 of row i, at bits[i·V + v].
// TensorCore's `andPopcount` reads its second operand word-major ([words, count]); the kernels
// below build those copies (the column bitsets transposed, the sign bitsets) themselves.

/// Number of 64-bit words that hold `bitCount` bits (`⌈bitCount/64⌉`).
@inlinable
public func bitWordCount(_ bitCount: Int) -> Int { (bitCount + 63) / 64 }

/// Packs the columns of a 0/1 code batch into bitsets, one per column.
///
/// - Parameters:
///   - bits: output `[m, W]`, `W = bitWordCount(B)`: bit `i % 64` of `bits[j·W + i/64]` is
///     `h_ij ≠ 0`.
///   - codes: `h`, `[B, m]`, values 0 or 1.
///   - rows: `B`.
///   - columns: `m`.
///   - workers: concurrent chunks (1 runs on the calling thread).
/// - Complexity: O(B·m).
public func packCodeColumns(
  _ bits: UnsafeMutablePointer<UInt64>, codes: UnsafePointer<Float>, rows: Int, columns: Int, workers: Int = 1
) {
  let (B, m, W) = (rows, columns, bitWordCount(rows))
  withUnsafeTemporaryAllocation(of: UInt64.self, capacity: W * m) { buffer in
    // Word-major [W, m] first (reads the rows contiguously), then transposed.
    let wordMajor = buffer.baseAddress!
    parallelChunks(W, workers: min(workers, W)) { _, range in
      bae_pack_code_columns_word_major(wordMajor, codes, B, m, range.lowerBound, range.upperBound)
    }
    for w in 0..<W { for j in 0..<m { bits[j * W + w] = wordMajor[w * m + j] } }
  }
}

/// Packs the rows of a 0/1 code batch into bitsets, one per row.
///
/// - Parameters:
///   - bits: output `[B, V]`, `V = bitWordCount(m)`: bit `j % 64` of `bits[i·V + j/64]` is
///     `h_ij ≠ 0`.
///   - codes: `h`, `[B, m]`, values 0 or 1.
///   - rows: `B`.
///   - columns: `m`.
///   - workers: concurrent chunks (1 runs on the calling thread).
/// - Complexity: O(B·m).
public func packCodeRows(
  _ bits: UnsafeMutablePointer<UInt64>, codes: UnsafePointer<Float>, rows: Int, columns: Int, workers: Int = 1
) {
  parallelChunks(rows, workers: workers) { _, range in
    bae_pack_code_rows(bits, codes, columns, range.lowerBound, range.upperBound)
  }
}

/// Co-occurrence counts of binary code columns, `N_jk = popcount(col_j & col_k)`, the number of
/// rows where codes `j` and `k` are both 1. The diagonal holds the column counts `n_j`.
///
/// - Parameters:
///   - counts: output `N`, `[m, m]`, symmetric.
///   - columnBits: `[m, W]` from ``packCodeColumns(_:codes:rows:columns:)``.
///   - rows: `B`.
///   - columns: `m`.
///   - workers: concurrent chunks (1 runs on the calling thread).
/// - Complexity: O(m²·W) word operations (both triangles, computed directly).
public func codeCooccurrence(
  _ counts: UnsafeMutablePointer<Int32>, columnBits: UnsafePointer<UInt64>, rows: Int, columns: Int,
  workers: Int = 1
) {
  let (m, W) = (columns, bitWordCount(rows))
  withUnsafeTemporaryAllocation(of: UInt64.self, capacity: W * m) { buffer in
    // The word-major copy [W, m] that andPopcount streams through.
    let wordMajor = buffer.baseAddress!
    for j in 0..<m { for w in 0..<W { wordMajor[w * m + j] = columnBits[j * W + w] } }
    // The whole square, both triangles: twice the popcounts of the upper triangle alone, but
    // cheaper than mirroring one triangle into the other (a strided copy of m² counts).
    andPopcount(counts, ldo: m, columnBits, lda: W, rows: m, wordMajor, ldb: m, columns: m, words: W, workers: workers)
  }
}

/// The covariance penalty `D = Σ_{j≠k} |C_jk|` of 0/1 codes from their co-occurrence counts,
/// exact up to one final division (see the file header for the formulas).
///
/// - Parameters:
///   - covariance: optional output `C`, `[m, m]` (the matrix `torch.cov(h.T)` gives).
///   - cooccurrence: `N`, `[m, m]`, from ``codeCooccurrence(_:columnBits:rows:columns:workers:)``.
///   - rows: `B` (≥ 2).
///   - columns: `m`.
/// - Returns: `D`.
/// - Complexity: O(m²).
public func binaryCovariancePenalty(
  _ covariance: UnsafeMutablePointer<Float>?, cooccurrence: UnsafePointer<Int32>, rows: Int,
  columns: Int
) -> Double {
  precondition(rows >= 2, "the unbiased covariance needs at least 2 rows, got \(rows)")
  let (B, m) = (Int64(rows), columns)
  let denominator = Double(B * (B - 1))
  return withUnsafeTemporaryAllocation(of: Int64.self, capacity: m) { n in
    for j in 0..<m { n[j] = Int64(cooccurrence[j * m + j]) }
    var upper: Int64 = 0
    for j in 0..<m {
      let row = cooccurrence + j * m
      var sum: Int64 = 0
      for k in (j + 1)..<max(j + 1, m) {
        // Wrapping arithmetic lets the loop vectorise; |values| < B²·m, far from overflow.
        let numerator = B &* Int64(row[k]) &- n[j] &* n[k]
        sum &+= numerator < 0 ? 0 &- numerator : numerator
      }
      upper &+= sum
    }
    if let covariance {
      for j in 0..<m {
        for k in 0..<m {
          let numerator = B * Int64(cooccurrence[j * m + k]) - n[j] * n[k]
          covariance[j * m + k] = Float(Double(numerator) / denominator)
        }
      }
    }
    return Double(2 * upper) / denominator
  }
}

/// Gradient of the covariance penalty of 0/1 codes, `weight·∂D/∂h = weight·(2/(B − 1))·X_c·S`,
/// from bit-packed rows and the exact signs of the co-occurrence numerators (see the file
/// header): equal to ``covariancePenaltyBackward(_:signs:covariance:centered:rows:columns:zeroTolerance:weight:accumulate:)``
/// with exact signs, with integer popcounts in place of a float GEMM.
///
/// - Parameters:
///   - gradient: output `[B, m]` (added to when `accumulate`).
///   - signBits: workspace of `2·V·m` words: the word-major `[V, m]` bitsets of
///     `{k : S_jk = +1}`, then those of `{k ≠ j : S_jk = 0}` for the few columns that have one.
///   - counts: workspace of `2·B·m` counts: their popcount products with the rows.
///   - cooccurrence: `N`, `[m, m]`, from ``codeCooccurrence(_:columnBits:rows:columns:workers:)``.
///   - rowBits: `[B, V]` from ``packCodeRows(_:codes:rows:columns:)`` (the same codes).
///   - rows: `B` (≥ 2).
///   - columns: `m`.
///   - weight: the loss weight `w_c`.
///   - accumulate: add into `gradient` instead of overwriting it.
///   - workers: concurrent chunks (1 runs on the calling thread).
/// - Returns: the penalty `D` (unweighted), as ``binaryCovariancePenalty(_:cooccurrence:rows:columns:)``
///   gives it, from the same pass over the numerators.
/// - Complexity: O(B·m·V) word operations, plus O(m²) to build the signs.
@discardableResult
public func binaryCovariancePenaltyBackward(
  _ gradient: UnsafeMutablePointer<Float>, signBits: UnsafeMutablePointer<UInt64>,
  counts: UnsafeMutablePointer<Int32>, cooccurrence: UnsafePointer<Int32>,
  rowBits: UnsafePointer<UInt64>, rows: Int, columns: Int, weight: Float = 1,
  accumulate: Bool = false, workers: Int = 1
) -> Double {
  precondition(rows >= 2, "the unbiased covariance needs at least 2 rows, got \(rows)")
  let (B, m, V) = (rows, columns, bitWordCount(columns))
  let scale = Float(2 * Double(weight) / (Double(B) * Double(B - 1)))
  // P_j, Z_j (S_jk = 0, j included) and N_j partition the m columns, so
  //   popcount(row & N_j) = |row| − popcount(row & P_j) − popcount(row & Z_j) and
  //   t_ij = 2·popcount(row_i & P_j) − |row_i| + h_ij + popcount(row_i & Z'_j),
  // Z'_j = Z_j without j. Only P takes a full popcount product; Z'_j is almost always empty
  // (an exactly zero numerator is a coincidence once constant codes are left out), so the few
  // columns that have one get a second, small product of their own.
  return withUnsafeTemporaryAllocation(of: Int64.self, capacity: 3 * m) { scratch in
    let n = scratch.baseAddress!
    let q = n + m
    let absoluteSums = q + m
    for j in 0..<m { n[j] = Int64(cooccurrence[j * m + j]) }
    // zeroCount[j]: how many k ≠ j have S_jk = 0.
    withUnsafeTemporaryAllocation(of: Int32.self, capacity: m) { zeroCount in
      // S_jk = sign(B·N_jk − n_j·n_k) for k ≠ j: P_j as bitsets [V, m]; q_j = Σ_k n_k·S_jk
      // (a vectorised C loop of exact integer arithmetic).
      parallelChunks(m, workers: workers) { _, range in
        bae_covariance_signs(
          signBits, q, zeroCount.baseAddress!, absoluteSums, cooccurrence, n, B, m, range.lowerBound,
          range.upperBound)
      }
      // The columns with an extra zero, and their Z' bitsets [V, e] after P's [V, m].
      let extra = (0..<m).filter { zeroCount[$0] > 0 }
      let e = extra.count
      let zeroBits = signBits + V * m
      for (c, j) in extra.enumerated() {
        let row = cooccurrence + j * m
        for v in 0..<V {
          var zero: UInt64 = 0
          for k in (64 * v)..<min(m, 64 * v + 64) where k != j && Int64(B) * Int64(row[k]) == n[j] * n[k] {
            zero |= UInt64(1) << UInt64(k & 63)
          }
          zeroBits[v * e + c] = zero
        }
      }
      // counts [B, m]: popcount(row_i & P_j); then [B, e]: popcount(row_i & Z'_j).
      andPopcount(counts, ldo: m, rowBits, lda: V, rows: B, signBits, ldb: m, columns: m, words: V, workers: workers)
      let zeroCounts = counts + B * m
      if e > 0 {
        andPopcount(
          zeroCounts, ldo: e, rowBits, lda: V, rows: B, zeroBits, ldb: e, columns: e, words: V, workers: workers)
      }
      // extraIndex[j]: j's place among the extra-zero columns, or −1.
      var extraIndex = [Int](repeating: -1, count: m)
      for (c, j) in extra.enumerated() { extraIndex[j] = c }
      extraIndex.withUnsafeBufferPointer { extraIndex in
        parallelChunks(B, workers: workers) { _, range in
          for i in range {
            let count = counts + i * m
            let bits = rowBits + i * V
            var ones: Int64 = 0
            for v in 0..<V { ones &+= Int64(bits[v].nonzeroBitCount) }
            let out = gradient + i * m
            for j in 0..<m {
              let own = Int64(bitPattern: (bits[j >> 6] >> UInt64(j & 63)) & 1)
              let c = extraIndex[j]
              let zeros = c < 0 ? 0 : Int64(zeroCounts[i * e + c])
              let t = 2 * Int64(count[j]) - ones + own + zeros
              let value = scale * Float(Int64(B) * t - q[j])
              if accumulate { out[j] += value } else { out[j] = value }
            }
          }
        }
      }
    }
    // Σ_{j≠k} |B·N_jk − n_j·n_k| = 2·(the upper triangle's sum): the same integer as
    // binaryCovariancePenalty's, so the same Double.
    var total: Int64 = 0
    for j in 0..<m { total &+= absoluteSums[j] }
    return Double(total) / Double(Int64(B) * Int64(B - 1))
  }
}
