/// Matrix products on ``Matrix`` values.
extension Matrix {
  /// `C = alpha · op(A) · op(B) + beta · C`, with `op` a transpose when asked.
  ///
  /// - Parameters:
  ///   - a: `op(A)` is `[M, K]`.
  ///   - b: `op(B)` is `[K, N]`.
  ///   - c: `[M, N]`; with `beta == 0` its old values are ignored.
  ///   - context: threads for the product.
  /// - Complexity: O(M·N·K).
  public static func multiply(
    _ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false,
    into c: inout Matrix, alpha: Float = 1, beta: Float = 0, context: ComputeContext
  ) {
    let m = transposeA ? a.columns : a.rows
    let k = transposeA ? a.rows : a.columns
    let kb = transposeB ? b.columns : b.rows
    let n = transposeB ? b.rows : b.columns
    precondition(k == kb, "inner dimensions differ: \(a) · \(b) (transposes \(transposeA), \(transposeB))")
    precondition(c.rows == m && c.columns == n, "output \(c) is not [\(m), \(n)]")
    precondition(
      a.values.count == a.rows * a.columns && b.values.count == b.rows * b.columns && c.values.count == m * n,
      "a matrix's values do not match its shape")
    guard m > 0, n > 0 else { return }
    guard k > 0 else {
      for i in c.values.indices { c.values[i] = beta == 0 ? 0 : beta * c.values[i] }
      return
    }
    a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        c.withUnsafeMutableBufferPointer { pc in
          gemm(
            pc.baseAddress!, ldc: n, pa.baseAddress!, lda: a.columns, transposeA: transposeA, pb.baseAddress!,
            ldb: b.columns, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, beta: beta, threads: context.threads
          )
        }
      }
    }
  }

  /// `op(A) · op(B)` as a new matrix.
  public static func product(
    _ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false, context: ComputeContext
  ) -> Matrix {
    var c = Matrix(rows: transposeA ? a.columns : a.rows, columns: transposeB ? b.rows : b.columns)
    multiply(a, transposeA: transposeA, b, transposeB: transposeB, into: &c, context: context)
    return c
  }
}
