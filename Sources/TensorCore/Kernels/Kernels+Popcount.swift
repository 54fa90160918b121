import CKernels

// Legend: R = bitsets in `a`, C = bitsets in `b`, W = 64-bit words per bitset.

/// Popcount inner products of two sets of bitsets (the AND-count "matrix product" of 0/1
/// matrices): `out[i, j] = Σ_w popcount(a[w, i] & b[w, j])`, the number of positions where
/// bitset `i` of `a` and bitset `j` of `b` are both set.
///
/// `a` is row-major, word `w` of bitset `i` at `a[i·lda + w]`; `b` is word-major, word `w` of
/// bitset `j` at `b[w·ldb + j]` (one row of words covers every bitset, so the kernel runs along
/// contiguous words of `b` with 4 rows of `a` in registers). The C kernel has clones for AVX-512
/// VPOPCNTQ, AVX-512, AVX2, POPCNT and a portable fallback, picked at run time.
///
/// - Parameters:
///   - out: `[R, C]` with row stride `ldo`.
///   - a: `[R, lda]`, the first `W` words of each row used.
///   - b: `[W, ldb]`, bitsets `0..<columns`.
///   - words: `W`.
///   - workers: concurrent chunks of rows (1 runs on the calling thread).
/// - Complexity: O(R·C·W) word operations.
public func andPopcount(
  _ out: UnsafeMutablePointer<Int32>, ldo: Int,
  _ a: UnsafePointer<UInt64>, lda: Int, rows: Int,
  _ b: UnsafePointer<UInt64>, ldb: Int, columns: Int,
  words: Int, workers: Int = 1
) {
  // Chunks of whole register tiles (4 rows) keep every worker on the fast path.
  let tiles = (rows + 3) / 4
  parallelChunks(tiles, workers: workers) { _, range in
    let start = range.lowerBound * 4
    let end = min(rows, range.upperBound * 4)
    guard start < end else { return }
    bae_and_popcount(out + start * ldo, ldo, a + start * lda, lda, end - start, b, ldb, columns, words)
  }
}
