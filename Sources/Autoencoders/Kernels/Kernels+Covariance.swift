import TensorCore

// Legend: B = batch rows, m = code width (d'); codes are row-major [B, m].
// The covariance penalty of the BAE loss (`shared/reference/bae-method.md` §3):
//   C = X_cᵀ·X_c / (B − 1)   (torch.cov of the code columns, unbiased), X_c = h − mean_i h
//   D = Σ_{j≠k} |C_jk|
//   ∂D/∂h = (2/(B − 1))·X_c·S,  S_jk = sign(C_jk) off the diagonal, 0 on it, sign(0) = 0.
// This file is the dense reference with two GEMMs, valid for any real codes;
// Kernels+BinaryCovariance.swift computes the same for 0/1 codes from bit-packed columns.

/// Covariance penalty `D = Σ_{j≠k} |C_jk|` of the code columns, dense: centres the batch and
/// forms `C = X_cᵀ·X_c/(B − 1)` with one GEMM (as `torch.cov(h.T)` does).
///
/// - Parameters:
///   - covariance: output `C`, `[m, m]`.
///   - centered: output `X_c = h − mean_i h`, `[B, m]` (the backward pass reads it).
///   - codes: `h`, `[B, m]` (any reals).
///   - rows: `B` (≥ 2).
///   - columns: `m`.
/// - Returns: `D`, summed in Double.
/// - Complexity: O(B·m²).
public func covariancePenalty(
  _ covariance: UnsafeMutablePointer<Float>, centered: UnsafeMutablePointer<Float>,
  codes: UnsafePointer<Float>, rows: Int, columns: Int
) -> Double {
  precondition(rows >= 2, "the unbiased covariance needs at least 2 rows, got \(rows)")
  let (B, m) = (rows, columns)
  withUnsafeTemporaryAllocation(of: Double.self, capacity: m) { sums in
    for j in 0..<m { sums[j] = 0 }
    for i in 0..<B {
      for j in 0..<m { sums[j] += Double(codes[i * m + j]) }
    }
    for j in 0..<m { sums[j] = Double(Float(sums[j]) / Float(B)) }
    for i in 0..<B {
      for j in 0..<m { centered[i * m + j] = codes[i * m + j] - Float(sums[j]) }
    }
  }
  // C [m, m] = X_cᵀ [m, B] · X_c [B, m] / (B − 1)
  gemm(
    covariance, ldc: m, centered, lda: m, transposeA: true, centered, ldb: m,
    m: m, n: m, k: B, alpha: Float(1 / Double(B - 1)))
  var penalty = 0.0
  for j in 0..<m {
    for k in 0..<m where k != j { penalty += Double(abs(covariance[j * m + k])) }
  }
  return penalty
}

/// Gradient of ``covariancePenalty(_:centered:codes:rows:columns:)``:
/// `weight·∂D/∂h = weight·(2/(B − 1))·X_c·S`, one GEMM.
///
/// - Parameters:
///   - gradient: output `[B, m]` (added to when `accumulate`).
///   - signs: workspace `S`, `[m, m]`; may be the `covariance` buffer itself (it is overwritten).
///   - covariance: `C`, `[m, m]`, from the forward pass.
///   - centered: `X_c`, `[B, m]`, from the forward pass.
///   - rows: `B` (≥ 2).
///   - columns: `m`.
///   - zeroTolerance: entries with `|C_jk| ≤ zeroTolerance` count as 0 in `S`. The default 0 is
///     torch's `sgn`; float rounding can leave a covariance that is exactly 0 for 0/1 codes as
///     ±1e-9, and a tolerance below `1/(B²(B − 1))` (the smallest nonzero |C| of binary codes)
///     recovers the exact signs.
///   - weight: the loss weight `w_c`.
///   - accumulate: add into `gradient` instead of overwriting it.
/// - Complexity: O(B·m²).
public func covariancePenaltyBackward(
  _ gradient: UnsafeMutablePointer<Float>, signs: UnsafeMutablePointer<Float>,
  covariance: UnsafePointer<Float>, centered: UnsafePointer<Float>, rows: Int, columns: Int,
  zeroTolerance: Float = 0, weight: Float = 1, accumulate: Bool = false
) {
  precondition(rows >= 2, "the unbiased covariance needs at least 2 rows, got \(rows)")
  let (B, m) = (rows, columns)
  for j in 0..<m {
    for k in 0..<m {
      let c = covariance[j * m + k]
      signs[j * m + k] = j == k || abs(c) <= zeroTolerance ? 0 : (c > 0 ? 1 : -1)
    }
  }
  // gradient [B, m] = 2w/(B − 1) · X_c [B, m] · S [m, m]
  gemm(
    gradient, ldc: m, centered, lda: m, signs, ldb: m, m: B, n: m, k: m,
    alpha: Float(2 * Double(weight) / Double(B - 1)), beta: accumulate ? 1 : 0)
}
