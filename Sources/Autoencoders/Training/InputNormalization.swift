import TensorCore

// `TrainingOptions.normalizeInputs`: the factor, the scaling of batches, and the fold into the
// weights. Legend: N = rows, d = input width.

/// The factor `s = √(d / mean_i ‖x_i‖²)` over `rows` of `x` `[N, d]` that gives the scaled rows
/// `s·x_i` a mean squared norm of `d` (SAELens's `expected_average_only_in` normalisation), or 1
/// when the rows are all zero.
///
/// - Complexity: O(|rows|·d).
func normalizationScale(_ x: Matrix, rows: [Int]) -> Float {
  var sum = 0.0
  for i in rows {
    for value in x.row(i) { sum += Double(value) * Double(value) }
  }
  let meanSquaredNorm = sum / Double(max(rows.count, 1))
  guard meanSquaredNorm > 0 else { return 1 }
  return Float((Double(x.columns) / meanSquaredNorm).squareRoot())
}

/// `s·x` (`x` itself when `s` is 1).
func scaled(_ x: consuming Matrix, by s: Float) -> Matrix {
  guard s != 1 else { return x }
  x.withUnsafeMutableBufferPointer { values in
    for i in values.indices { values[i] *= s }
  }
  return x
}

extension Autoencoder {
  /// The autoencoder for raw data of one trained on `inputScale·x` to reconstruct
  /// `targetScale·y`: `W_enc·inputScale` (so pre-activations and codes are unchanged) and
  /// `W_dec/targetScale`, `b_dec/targetScale` (so reconstructions are in the target's raw
  /// units). Exact for the output activations that commute with a positive factor (`none`,
  /// `relu`).
  func foldingScales(inputScale: Float, targetScale: Float) -> Autoencoder {
    guard inputScale != 1 || targetScale != 1 else { return self }
    precondition(
      configuration.outputActivation == .none || configuration.outputActivation == .relu,
      "scales fold only through a positively homogeneous output activation")
    var folded = self
    folded.weights.encoderWeight = scaled(weights.encoderWeight, by: inputScale)
    folded.weights.decoderWeight = scaled(weights.decoderWeight, by: 1 / targetScale)
    folded.weights.decoderBias = scaled(weights.decoderBias, by: 1 / targetScale)
    return folded
  }
}
