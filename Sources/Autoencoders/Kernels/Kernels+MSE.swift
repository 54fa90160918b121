// Legend: B = batch rows, d = input width; `count` = B·d.

/// Mean squared error over batch *and* dimension, `mean((x − x̂)²)`, the reference code's
/// reconstruction loss (torch `MSELoss()` with mean reduction), accumulated in Double.
///
/// - Parameters:
///   - reconstruction: `x̂`, `[B, d]`.
///   - target: `x`, `[B, d]`.
///   - count: `B·d` (> 0).
/// - Returns: the loss, `Σ (x̂ − x)² / (B·d)`.
/// - Complexity: O(count).
@inlinable
public func meanSquaredError(
  _ reconstruction: UnsafePointer<Float>, target: UnsafePointer<Float>, count: Int
) -> Double {
  precondition(count > 0, "mean squared error of an empty batch")
  var sum = 0.0
  for i in 0..<count {
    let e = Double(reconstruction[i]) - Double(target[i])
    sum += e * e
  }
  return sum / Double(count)
}

/// Gradient of ``meanSquaredError(_:target:count:)`` with respect to the reconstruction:
/// `gradient = weight · 2(x̂ − x)/(B·d)`.
///
/// - Parameters:
///   - gradient: output `[B, d]` (may alias `reconstruction`).
///   - reconstruction: `x̂`, `[B, d]`.
///   - target: `x`, `[B, d]`.
///   - count: `B·d` (> 0).
///   - weight: the loss weight (the upstream gradient, 1 for a plain loss).
@inlinable
public func meanSquaredErrorBackward(
  _ gradient: UnsafeMutablePointer<Float>, reconstruction: UnsafePointer<Float>,
  target: UnsafePointer<Float>, count: Int, weight: Float = 1
) {
  precondition(count > 0, "mean squared error of an empty batch")
  // torch's mse_loss_backward: norm = 2/N as one scalar, times (x̂ − x), times the upstream.
  let norm = Float(2 / Double(count))
  for i in 0..<count { gradient[i] = norm * (reconstruction[i] - target[i]) * weight }
}
