import CBLAS

// Legend: M, N, K are the GEMM dimensions; lda/ldb/ldc the row strides (row-major).

/// OpenBLAS runs single-threaded in every call: parallelism comes from splitting products into
/// `threads` parts in ``gemm(_:ldc:_:lda:transposeA:_:ldb:transposeB:m:n:k:alpha:beta:threads:)``,
/// so no caller ever changes the library's process-wide thread count. Evaluated once, before the
/// first product.
private let blasRunsSingleThreaded: Void = openblas_set_num_threads(1)

/// Products smaller than this many multiply-adds per extra thread run on one thread.
@usableFromInline let gemmWorkPerThread = 1 << 18

/// Row-major single-precision matrix product through OpenBLAS:
/// `C [M, N] = alpha · op(A) · op(B) + beta · C`.
///
/// With `threads > 1` the product is split into contiguous blocks of rows of `C` (or of columns,
/// when `M` is too small to share), each computed by single-threaded OpenBLAS on its own thread.
/// Results are bit-identical from run to run for a given `threads`; another count may change
/// the last bits (OpenBLAS uses other edge kernels for other block shapes).
///
/// - Parameters:
///   - c: output, `M` rows with stride `ldc`.
///   - a: `op(A)` is `[M, K]`; stored `[M, K]` (stride `lda`) or, if `transposeA`, `[K, M]`.
///   - b: `op(B)` is `[K, N]`; stored `[K, N]` (stride `ldb`) or, if `transposeB`, `[N, K]`.
///   - threads: worker threads (1 runs inline on the calling thread).
/// - Complexity: O(M·N·K).
public func gemm(
  _ c: UnsafeMutablePointer<Float>, ldc: Int,
  _ a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false,
  _ b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false,
  m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0, threads: Int = 1
) {
  _ = blasRunsSingleThreaded
  let work = m * n * max(k, 1)
  let workers = max(1, min(threads, work / gemmWorkPerThread))
  func block(rows: Range<Int>, columns: Range<Int>) {
    // op(A) rows r… start at a + r·lda (plain) or a + r (transposed); op(B) columns likewise.
    let aStart = transposeA ? a + rows.lowerBound : a + rows.lowerBound * lda
    let bStart = transposeB ? b + columns.lowerBound * ldb : b + columns.lowerBound
    cblas_sgemm(
      CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
      Int32(rows.count), Int32(columns.count), Int32(k), alpha, aStart, Int32(lda), bStart, Int32(ldb), beta,
      c + rows.lowerBound * ldc + columns.lowerBound, Int32(ldc))
  }
  if workers == 1 {
    block(rows: 0..<m, columns: 0..<n)
  } else if m >= 16 * workers {
    parallelChunks(m, workers: workers) { _, rows in block(rows: rows, columns: 0..<n) }
  } else {
    parallelChunks(n, workers: workers) { _, columns in block(rows: 0..<m, columns: columns) }
  }
}

/// A linear layer in Hugging Face layout: `out [T, d] = x [T, n] · Wᵀ` with `W [d, n]`.
///
/// - Parameters:
///   - output: `[rows, outDim]`.
///   - input: `[rows, inDim]`.
///   - weight: `[outDim, inDim]` (as stored by `nn.Linear`).
///   - accumulate: add into `output` instead of overwriting it.
///   - threads: worker threads for the product.
public func linear(
  _ output: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>,
  _ weight: UnsafePointer<Float>, rows: Int, inDim: Int, outDim: Int, accumulate: Bool = false, threads: Int = 1
) {
  gemm(
    output, ldc: outDim, input, lda: inDim, weight, ldb: inDim, transposeB: true,
    m: rows, n: outDim, k: inDim, beta: accumulate ? 1 : 0, threads: threads)
}
