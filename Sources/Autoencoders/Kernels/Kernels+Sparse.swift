import Foundation

// Legend: B = batch rows, m = code width (latents per row), k = kept latents per row;
// latents are row-major [B, m].
// The sparse-autoencoder baselines (`shared/reference/bae-method.md` §5): ReLU with an L1
// penalty, TopK, BatchTopK and JumpReLU. Each selection writes a 0/1 `mask` of the latents it
// kept, and ``maskedBackward(_:outputGradient:mask:count:)`` passes gradients through it.

/// ReLU latents with the reference's keep mask: `output = max(z, 0)`, `mask = 1[z > 0]`.
///
/// - Parameters:
///   - output: `[count]` (may alias `input`).
///   - mask: output `[count]`, 1 where the latent is kept (the gradient flows).
///   - input: pre-activations `z`, `[count]`.
///   - count: `B·m`.
@inlinable
public func reluForward(
  _ output: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<UInt8>, _ input: UnsafePointer<Float>,
  count: Int
) {
  for i in 0..<count {
    let keep = input[i] > 0
    mask[i] = keep ? 1 : 0
    output[i] = keep ? input[i] : 0
  }
}

/// Backward of every masked selection (ReLU, TopK, BatchTopK, JumpReLU with respect to its
/// input): `inputGradient = outputGradient · mask`.
///
/// - Parameters:
///   - inputGradient: output `[count]` (may alias `outputGradient`).
///   - outputGradient: `[count]`.
///   - mask: `[count]` from the forward pass.
///   - count: `B·m`.
@inlinable
public func maskedBackward(
  _ inputGradient: UnsafeMutablePointer<Float>, outputGradient: UnsafePointer<Float>,
  mask: UnsafePointer<UInt8>, count: Int
) {
  // Branch-free (keep masks are close to random, so a branch mispredicts on half the
  // elements): all-ones or all-zero bits from the mask select the gradient or +0.
  for i in 0..<count {
    let keep = UInt32(truncatingIfNeeded: -Int32(mask[i] != 0 ? 1 : 0))
    inputGradient[i] = Float(bitPattern: outputGradient[i].bitPattern & keep)
  }
}

/// The L1 sparsity penalty as the reference writes it: `Σ|z|` over the whole batch and every
/// latent, **not** normalised by `B` (accumulated in Double).
///
/// - Parameters:
///   - latents: `z` (the activations after the inner nonlinearity), `[count]`.
///   - count: `B·m`.
/// - Returns: `Σ_i |z_i|`.
@inlinable
public func l1Penalty(_ latents: UnsafePointer<Float>, count: Int) -> Double {
  var sum = 0.0
  for i in 0..<count { sum += Double(abs(latents[i])) }
  return sum
}

/// Gradient of ``l1Penalty(_:count:)``: `weight·sign(z)` with `sign(0) = 0` (torch's `abs`
/// backward).
///
/// - Parameters:
///   - gradient: output `[count]` (added to when `accumulate`).
///   - latents: `z`, `[count]`.
///   - count: `B·m`.
///   - weight: the L1 coefficient.
///   - accumulate: add into `gradient` instead of overwriting it.
@inlinable
public func l1PenaltyBackward(
  _ gradient: UnsafeMutablePointer<Float>, latents: UnsafePointer<Float>, count: Int,
  weight: Float = 1, accumulate: Bool = false
) {
  // Branch-free: the sign of z as (z > 0) − (z < 0), so random signs cost no mispredictions.
  let w = weight
  if accumulate {
    for i in 0..<count {
      let z = latents[i]
      gradient[i] += w * Float(Int32(z > 0 ? 1 : 0) - Int32(z < 0 ? 1 : 0))
    }
  } else {
    for i in 0..<count {
      let z = latents[i]
      gradient[i] = w * Float(Int32(z > 0 ? 1 : 0) - Int32(z < 0 ? 1 : 0))
    }
  }
}

/// Per-row TopK as the reference SAE: in each row keep every entry `≥` the row's k-th largest
/// value, unchanged, and zero the rest. Ties with the k-th value are all kept, so a row can keep
/// more than `k` entries (`shared/reference/bae-method.md` §5).
///
/// - Parameters:
///   - output: `[B, m]` (may alias `input`).
///   - mask: output `[B, m]`, 1 where kept.
///   - input: `[B, m]` (no NaNs).
///   - rows: `B`.
///   - columns: `m`.
///   - k: `1 ≤ k ≤ m`.
/// - Complexity: O(B·m·log k) (a size-k min-heap per row).
public func topKForward(
  _ output: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<UInt8>, _ input: UnsafePointer<Float>,
  rows: Int, columns: Int, k: Int
) {
  precondition(k >= 1 && k <= columns, "TopK needs 1 ≤ k ≤ \(columns), got \(k)")
  withUnsafeTemporaryAllocation(of: Float.self, capacity: k) { heap in
    for i in 0..<rows {
      let x = input + i * columns
      let threshold = kthLargest(x, count: columns, k: k, heap: heap.baseAddress!)
      for j in 0..<columns {
        let keep = x[j] >= threshold
        mask[i * columns + j] = keep ? 1 : 0
        output[i * columns + j] = keep ? x[j] : 0
      }
    }
  }
}

/// The k-th largest of `count` values, with a size-k min-heap in `heap`.
func kthLargest(_ x: UnsafePointer<Float>, count: Int, k: Int, heap: UnsafeMutablePointer<Float>) -> Float {
  for j in 0..<k {
    // Sift up.
    var c = j
    heap[c] = x[j]
    while c > 0 {
      let parent = (c - 1) / 2
      if heap[parent] <= heap[c] { break }
      heap.swapAt(parent, c)
      c = parent
    }
  }
  for j in k..<count where x[j] > heap[0] {
    heap[0] = x[j]
    var c = 0
    while true {
      let l = 2 * c + 1
      if l >= k { break }
      let r = l + 1
      let child = r < k && heap[r] < heap[l] ? r : l
      if heap[c] <= heap[child] { break }
      heap.swapAt(c, child)
      c = child
    }
  }
  return heap[0]
}

extension UnsafeMutablePointer where Pointee == Float {
  fileprivate func swapAt(_ a: Int, _ b: Int) {
    let t = self[a]
    self[a] = self[b]
    self[b] = t
  }
}

/// BatchTopK (Bussmann et al. 2024): keep the `B·k` largest activations of the whole batch
/// (values unchanged) and zero the rest, so rows keep different numbers of latents.
///
/// Exactly `B·k` entries are kept: ties at the cut-off value go to the lowest flat index
/// `i·m + j` (row-major order), like a stable descending sort. `-0` ranks as `+0`.
///
/// - Parameters:
///   - output: `[B, m]` (may alias `input`).
///   - mask: output `[B, m]`, 1 where kept.
///   - input: `[B, m]` (no NaNs).
///   - rows: `B`.
///   - columns: `m`.
///   - k: mean kept latents per row, `1 ≤ k ≤ m`.
/// - Complexity: O(B·m) (a two-pass radix select on the 32-bit order keys, then one pass).
public func batchTopKForward(
  _ output: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<UInt8>, _ input: UnsafePointer<Float>,
  rows: Int, columns: Int, k: Int
) {
  precondition(k >= 1 && k <= columns, "BatchTopK needs 1 ≤ k ≤ \(columns), got \(k)")
  let count = rows * columns
  let keep = rows * k
  // The key of the keep-th largest value, found 16 bits at a time from the top.
  let cutoff: UInt32 = withUnsafeTemporaryAllocation(of: Int.self, capacity: 1 << 16) { histogram in
    histogram.initialize(repeating: 0)
    for i in 0..<count { histogram[Int(orderKey(input[i]) >> 16)] += 1 }
    var remaining = keep
    var high = 0xFFFF
    while histogram[high] < remaining {
      remaining -= histogram[high]
      high -= 1
    }
    histogram.update(repeating: 0)
    for i in 0..<count {
      let key = orderKey(input[i])
      if Int(key >> 16) == high { histogram[Int(key & 0xFFFF)] += 1 }
    }
    var low = 0xFFFF
    while histogram[low] < remaining {
      remaining -= histogram[low]
      low -= 1
    }
    return UInt32(high) << 16 | UInt32(low)
  }
  var above = 0
  for i in 0..<count where orderKey(input[i]) > cutoff { above += 1 }
  var tiesLeft = keep - above
  for i in 0..<count {
    let key = orderKey(input[i])
    var kept = key > cutoff
    if key == cutoff && tiesLeft > 0 {
      kept = true
      tiesLeft -= 1
    }
    mask[i] = kept ? 1 : 0
    output[i] = kept ? input[i] : 0
  }
}

/// A `UInt32` whose unsigned order is the numeric order of `x` (with `-0` mapped to `+0`).
@inlinable
func orderKey(_ x: Float) -> UInt32 {
  let bits = x == 0 ? 0 : x.bitPattern
  return bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
}

/// JumpReLU (Rajamanoharan et al. 2024): `output = z·1[z > θ_j]` with one threshold per latent.
/// The reference SAE's variant is a fixed `θ = 0.5` for every latent.
///
/// - Parameters:
///   - output: `[B, m]` (may alias `input`).
///   - mask: output `[B, m]`, `1[z > θ_j]`.
///   - input: pre-activations `z`, `[B, m]`.
///   - thresholds: `θ`, `[m]`.
///   - rows: `B`.
///   - columns: `m`.
public func jumpReLUForward(
  _ output: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<UInt8>, _ input: UnsafePointer<Float>,
  thresholds: UnsafePointer<Float>, rows: Int, columns: Int
) {
  for i in 0..<rows {
    for j in 0..<columns {
      let z = input[i * columns + j]
      let keep = z > thresholds[j]
      mask[i * columns + j] = keep ? 1 : 0
      output[i * columns + j] = keep ? z : 0
    }
  }
}

/// Straight-through gradient of JumpReLU with respect to learnable thresholds, for the
/// reconstruction path only (no L0 term), with the rectangle kernel of the JumpReLU SAE paper:
/// `∂L/∂θ_j = Σ_i −(θ_j/ε)·K((z_ij − θ_j)/ε)·g_ij`, `K(u) = 1[−½ < u < ½]`.
/// The gradient with respect to `z` is ``maskedBackward(_:outputGradient:mask:count:)``
/// (the true derivative `1[z > θ]`); a fixed threshold needs only that.
///
/// - Parameters:
///   - thresholdGradient: output `[m]` (added to when `accumulate`).
///   - outputGradient: `g = ∂L/∂output`, `[B, m]`.
///   - input: pre-activations `z`, `[B, m]`.
///   - thresholds: `θ`, `[m]`.
///   - rows: `B`.
///   - columns: `m`.
///   - bandwidth: `ε` (> 0).
///   - accumulate: add into `thresholdGradient` instead of overwriting it.
public func jumpReLUThresholdBackward(
  _ thresholdGradient: UnsafeMutablePointer<Float>, outputGradient: UnsafePointer<Float>,
  input: UnsafePointer<Float>, thresholds: UnsafePointer<Float>, rows: Int, columns: Int,
  bandwidth: Float, accumulate: Bool = false
) {
  precondition(bandwidth > 0, "JumpReLU bandwidth must be positive, got \(bandwidth)")
  withUnsafeTemporaryAllocation(of: Double.self, capacity: columns) { sums in
    sums.initialize(repeating: 0)
    for i in 0..<rows {
      for j in 0..<columns {
        let u = (input[i * columns + j] - thresholds[j]) / bandwidth
        if u > -0.5 && u < 0.5 { sums[j] += Double(outputGradient[i * columns + j]) }
      }
    }
    for j in 0..<columns {
      let value = Float(-Double(thresholds[j]) / Double(bandwidth) * sums[j])
      if accumulate { thresholdGradient[j] += value } else { thresholdGradient[j] = value }
    }
  }
}
