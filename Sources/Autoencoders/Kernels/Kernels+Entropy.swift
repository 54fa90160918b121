import Foundation

// Legend: B = batch rows, m = code width (d'); codes are row-major [B, m].

/// The ε the reference code adds inside both logarithms of the Bernoulli entropy.
public let codeEntropyEpsilon: Float = 1e-10

/// Minibatch code entropy in bits, `H = Σ_j H_b(p_j)` with `p_j = mean_i h_ij` and
/// `H_b(p) = −[p·log2(p + ε) + (1 − p)·log2(1 − p + ε)]`, ε = 1e-10
/// (`shared/reference/bae-method.md` §3).
///
/// Each column's term is evaluated in Float as the reference's float32 torch code does (so ε
/// only changes a column with `p = 0` or `p = 1`, whose term is then exactly 0), and the terms are
/// summed in Double. Codes may be any reals (the value is then the same formula of the column
/// means), which is what finite-difference tests use.
///
/// - Parameters:
///   - columnMeans: output `p`, `[m]`; ``codeEntropyBackward(_:columnMeans:rows:columns:entropy:threshold:weight:accumulate:)`` reads it.
///   - codes: `h`, `[B, m]`.
///   - rows: `B` (> 0).
///   - columns: `m`.
/// - Returns: `H` in bits, without the threshold rule (apply ``thresholdedEntropy(_:threshold:)``
///   for the loss term).
/// - Complexity: O(B·m).
public func codeEntropy(
  _ columnMeans: UnsafeMutablePointer<Float>, codes: UnsafePointer<Float>, rows: Int, columns: Int
) -> Double {
  precondition(rows > 0, "entropy of an empty batch")
  withUnsafeTemporaryAllocation(of: Double.self, capacity: columns) { sums in
    for j in 0..<columns { sums[j] = 0 }
    for i in 0..<rows {
      let row = codes + i * columns
      for j in 0..<columns { sums[j] += Double(row[j]) }
    }
    // torch: mean = sum / B in float32 (sums of 0/1 codes are exact integers).
    for j in 0..<columns { columnMeans[j] = Float(sums[j]) / Float(rows) }
  }
  let eps = codeEntropyEpsilon
  var entropy = 0.0
  for j in 0..<columns {
    let p = columnMeans[j]
    let q = 1 - p
    entropy -= Double(p * log2f(p + eps) + q * log2f(q + eps))
  }
  return entropy
}

/// The entropy loss term under the reference's threshold rule: `0` when `H < threshold`, else `H`.
/// (The default threshold 0 never triggers for codes in {0, 1}.)
@inlinable
public func thresholdedEntropy(_ entropy: Double, threshold: Double) -> Double {
  entropy < threshold ? 0 : entropy
}

/// Gradient of the code entropy with respect to every code,
/// `∂H/∂h_ij = (1/B)·[log2(1 − p_j + ε) − log2(p_j + ε) + (1/ln 2)·((1 − p_j)/(1 − p_j + ε) − p_j/(p_j + ε))]`,
/// the same for every row `i` of column `j` (`shared/reference/bae-method.md` §3).
///
/// Under the threshold rule, when `entropy < threshold` the term is a constant and contributes no
/// gradient: the output is zeroed (or left unchanged when accumulating).
///
/// - Parameters:
///   - gradient: output `[B, m]`; receives `weight·∂H/∂h` (added when `accumulate`).
///   - columnMeans: `p`, `[m]`, from ``codeEntropy(_:codes:rows:columns:)``.
///   - rows: `B` (> 0).
///   - columns: `m`.
///   - entropy: the `H` that ``codeEntropy(_:codes:rows:columns:)`` returned.
///   - threshold: the reference's `entropy_threshold` (default 0).
///   - weight: the loss weight `w_e`.
///   - accumulate: add into `gradient` instead of overwriting it.
/// - Complexity: O(B·m).
public func codeEntropyBackward(
  _ gradient: UnsafeMutablePointer<Float>, columnMeans: UnsafePointer<Float>, rows: Int, columns: Int,
  entropy: Double, threshold: Double = 0, weight: Float = 1, accumulate: Bool = false
) {
  precondition(rows > 0, "entropy of an empty batch")
  if entropy < threshold {
    if !accumulate { gradient.update(repeating: 0, count: rows * columns) }
    return
  }
  let eps = codeEntropyEpsilon
  let inverseLn2 = Float(1 / M_LN2)
  withUnsafeTemporaryAllocation(of: Float.self, capacity: columns) { perColumn in
    for j in 0..<columns {
      let p = columnMeans[j]
      let q = 1 - p
      let slope = log2f(q + eps) - log2f(p + eps) + inverseLn2 * (q / (q + eps) - p / (p + eps))
      perColumn[j] = weight * slope / Float(rows)
    }
    for i in 0..<rows {
      let row = gradient + i * columns
      if accumulate {
        for j in 0..<columns { row[j] += perColumn[j] }
      } else {
        for j in 0..<columns { row[j] = perColumn[j] }
      }
    }
  }
}
