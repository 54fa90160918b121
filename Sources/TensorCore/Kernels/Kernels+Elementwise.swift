import CKernels
import Foundation

/// `output[i] += input[i]` for `count` elements (residual connection).
@inlinable
public func addInPlace(_ output: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>, count: Int) {
  for i in 0..<count { output[i] += input[i] }
}

/// SiLU, `x · σ(x)`, as `torch.nn.functional.silu`.
@inlinable
public func silu(_ x: Float) -> Float { x / (1 + expf(-x)) }

/// The SwiGLU gate of a Llama MLP: `gate[i] = silu(gate[i]) · up[i]`.
///
/// - Parameters:
///   - gate: `[rows, hidden]`, overwritten with the product.
///   - up: `[rows, hidden]`.
public func swiGLU(_ gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, count: Int) {
  bae_swiglu(gate, up, count)
}

/// Numerically stable softmax over each of `rows` rows of length `columns`, in place,
/// considering only the first `valid[r]` entries of row `r` (the rest are set to 0).
///
/// - Parameters:
///   - x: `[rows, stride]`.
///   - validCount: number of leading entries of row `r` that take part; `validCount(r)`.
public func softmaxRows(
  _ x: UnsafeMutablePointer<Float>, rows: Int, stride: Int, validCount: (Int) -> Int
) {
  for r in 0..<rows {
    let row = x + r * stride
    let n = validCount(r)
    var maximum = -Float.infinity
    for i in 0..<n where row[i] > maximum { maximum = row[i] }
    let sum = expShifted(row, row, shift: maximum, count: n)
    let inverse = 1 / sum
    for i in 0..<n { row[i] *= inverse }
    for i in n..<stride { row[i] = 0 }
  }
}
