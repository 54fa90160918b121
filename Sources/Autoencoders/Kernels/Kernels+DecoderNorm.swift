// Legend: m = code width (features), d = input width. A decoder holds one d-vector per feature,
// its "direction". Element t of feature j's direction sits at
// `weights[j·featureStride + t·elementStride]`:
//   W_dec [m, d] (SAELens layout): featureStride = d, elementStride = 1;
//   nn.Linear(m, d).weight [d, m]:  featureStride = 1, elementStride = m.

/// Rescales every decoder direction to unit L2 norm (SAELens `set_decoder_norm_to_unit_norm`).
/// A direction whose norm is 0 is left unchanged (SAELens would write NaNs).
///
/// - Parameters:
///   - weights: the decoder, updated.
///   - features: `m`.
///   - width: `d`.
///   - featureStride: distance between consecutive features' first elements.
///   - elementStride: distance between consecutive elements of one direction.
/// - Complexity: O(m·d).
public func normalizeDecoderDirections(
  _ weights: UnsafeMutablePointer<Float>, features: Int, width: Int, featureStride: Int,
  elementStride: Int
) {
  for j in 0..<features {
    let w = weights + j * featureStride
    var squares = 0.0
    for t in 0..<width { squares += Double(w[t * elementStride]) * Double(w[t * elementStride]) }
    guard squares > 0 else { continue }
    let inverse = Float(1 / squares.squareRoot())
    for t in 0..<width { w[t * elementStride] *= inverse }
  }
}

/// Removes from each decoder direction's gradient its component parallel to that direction,
/// `g_j ← g_j − (g_j·w_j / ‖w_j‖²)·w_j`, so a step keeps unit-norm directions on the sphere to
/// first order. For unit-norm directions this is exactly SAELens's
/// `remove_gradient_parallel_to_decoder_directions` (which omits the division by `‖w_j‖²`);
/// directions of norm 0 leave their gradient unchanged.
///
/// - Parameters:
///   - gradient: the decoder's gradient, same layout as `weights`, updated.
///   - weights: the decoder.
///   - features: `m`.
///   - width: `d`.
///   - featureStride: distance between consecutive features' first elements.
///   - elementStride: distance between consecutive elements of one direction.
/// - Complexity: O(m·d).
public func removeParallelDecoderGradient(
  _ gradient: UnsafeMutablePointer<Float>, weights: UnsafePointer<Float>, features: Int, width: Int,
  featureStride: Int, elementStride: Int
) {
  for j in 0..<features {
    let w = weights + j * featureStride
    let g = gradient + j * featureStride
    var dot = 0.0
    var squares = 0.0
    for t in 0..<width {
      dot += Double(g[t * elementStride]) * Double(w[t * elementStride])
      squares += Double(w[t * elementStride]) * Double(w[t * elementStride])
    }
    guard squares > 0 else { continue }
    let factor = Float(dot / squares)
    for t in 0..<width { g[t * elementStride] -= factor * w[t * elementStride] }
  }
}
