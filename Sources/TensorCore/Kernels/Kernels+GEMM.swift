import CBLAS
import Foundation

// Legend: M, N, K are the GEMM dimensions; lda/ldb/ldc the row strides (row-major).

/// Row-major single-precision matrix product through OpenBLAS:
/// `C [M, N] = alpha · op(A) · op(B) + beta · C`.
///
/// - Parameters:
///   - c: output, `M` rows with stride `ldc`.
///   - a: `op(A)` is `[M, K]`; stored `[M, K]` (stride `lda`) or, if `transposeA`, `[K, M]`.
///   - b: `op(B)` is `[K, N]`; stored `[K, N]` (stride `ldb`) or, if `transposeB`, `[N, K]`.
/// - Complexity: O(M·N·K).
@inlinable
public func gemm(
  _ c: UnsafeMutablePointer<Float>, ldc: Int,
  _ a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false,
  _ b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false,
  m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0
) {
  cblas_sgemm(
    CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// A linear layer in Hugging Face layout: `out [T, d] = x [T, n] · Wᵀ` with `W [d, n]`.
///
/// - Parameters:
///   - output: `[rows, outDim]`.
///   - input: `[rows, inDim]`.
///   - weight: `[outDim, inDim]` (as stored by `nn.Linear`).
///   - accumulate: add into `output` instead of overwriting it.
@inlinable
public func linear(
  _ output: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>,
  _ weight: UnsafePointer<Float>, rows: Int, inDim: Int, outDim: Int, accumulate: Bool = false
) {
  gemm(
    output, ldc: outDim, input, lda: inDim, weight, ldb: inDim, transposeB: true,
    m: rows, n: outDim, k: inDim, beta: accumulate ? 1 : 0)
}

/// Sets the number of threads OpenBLAS uses for every following computation (waits for a
/// running forward pass to finish first).
public func setBLASThreadCount(_ count: Int) {
  withExclusiveBLAS {
    configuredThreads.set(max(1, count))
    openblas_set_num_threads(Int32(max(1, count)))
  }
}

/// The number of threads computations use: the configured count, not the temporary single
/// thread of a section inside ``withSingleThreadedBLAS(_:)`` running on another thread.
public func blasThreadCount() -> Int { configuredThreads.get() }

/// The thread count set through ``setBLASThreadCount(_:)`` (initially OpenBLAS's own default).
private final class ConfiguredThreads: @unchecked Sendable {
  // @unchecked: `count` is guarded by `lock`.
  private let lock = NSLock()
  private var count = Int(openblas_get_num_threads())
  func get() -> Int {
    lock.lock()
    defer { lock.unlock() }
    return count
  }
  func set(_ value: Int) {
    lock.lock()
    count = value
    lock.unlock()
  }
}

private let configuredThreads = ConfiguredThreads()

/// Serialises whole computations that use OpenBLAS: its thread count is process-wide state, and
/// a forward pass changes it around its attention section, so two passes must not interleave.
/// A pass uses every core anyway.
public func withExclusiveBLAS<T>(_ body: () throws -> T) rethrows -> T {
  blasLock.lock()
  defer { blasLock.unlock() }
  return try body()
}

private let blasLock = NSLock()

/// Runs `body` with OpenBLAS limited to one thread (for regions that parallelise over
/// independent small products themselves), then restores the previous count.
public func withSingleThreadedBLAS<T>(_ body: () throws -> T) rethrows -> T {
  let previous = Int(openblas_get_num_threads())
  if previous == 1 { return try body() }
  openblas_set_num_threads(1)
  defer { openblas_set_num_threads(Int32(previous)) }
  return try body()
}
