import Foundation

/// Root-mean-square layer norm, as `LlamaRMSNorm`: `out = x / sqrt(mean(x²) + eps) · weight`.
///
/// - Parameters:
///   - output: `[rows, dim]`; may alias `input`.
///   - input: `[rows, dim]`.
///   - weight: gain `[dim]`, or `nil` for no gain (TransformerLens `hook_normalized` without gain).
public func rmsNorm(
  _ output: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>,
  weight: UnsafePointer<Float>?, rows: Int, dim: Int, epsilon: Float
) {
  for r in 0..<rows {
    let x = input + r * dim
    let o = output + r * dim
    var sumSquares: Float = 0
    for i in 0..<dim { sumSquares += x[i] * x[i] }
    let scale = 1 / (sumSquares / Float(dim) + epsilon).squareRoot()
    if let weight {
      for i in 0..<dim { o[i] = weight[i] * (x[i] * scale) }
    } else {
      for i in 0..<dim { o[i] = x[i] * scale }
    }
  }
}
