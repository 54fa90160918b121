import Foundation

/// The activation applied to the decoder output (`x̂ = act(h·W_decᵀ + b_dec)`), as the
/// reference code's `output_activation` option (`none` in every documented run).
public enum OutputActivation: String, CaseIterable, Sendable, Codable {
  /// Identity.
  case none
  /// Logistic sigmoid `1 / (1 + e^{−x})`.
  case sigmoid
  /// Hyperbolic tangent.
  case tanh
  /// `max(x, 0)`.
  case relu
}

/// Applies an output activation elementwise: `output[i] = act(input[i])`.
///
/// - Parameters:
///   - output: `[count]` (may alias `input`).
///   - input: `[count]`.
///   - count: number of elements (`B·d` for a batch of reconstructions).
///   - activation: the function.
@inlinable
public func outputActivationForward(
  _ output: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>, count: Int,
  activation: OutputActivation
) {
  switch activation {
  case .none:
    if UnsafePointer(output) != input { output.update(from: input, count: count) }
  case .sigmoid:
    for i in 0..<count { output[i] = 1 / (1 + expf(-input[i])) }
  case .tanh:
    for i in 0..<count { output[i] = tanhf(input[i]) }
  case .relu:
    for i in 0..<count { output[i] = input[i] > 0 ? input[i] : 0 }
  }
}

/// Backward of ``outputActivationForward(_:_:count:activation:)``, written in terms of the
/// forward *output* `y` so the pre-activation need not be kept:
/// sigmoid `g·y·(1 − y)`, tanh `g·(1 − y²)`, relu `g·1[y > 0]` (0 at the kink, as torch).
///
/// - Parameters:
///   - inputGradient: output `∂L/∂input`, `[count]` (may alias `outputGradient`).
///   - outputGradient: `∂L/∂output`, `[count]`.
///   - output: the forward output `y`, `[count]`.
///   - count: number of elements.
///   - activation: the function.
@inlinable
public func outputActivationBackward(
  _ inputGradient: UnsafeMutablePointer<Float>, outputGradient: UnsafePointer<Float>,
  output: UnsafePointer<Float>, count: Int, activation: OutputActivation
) {
  switch activation {
  case .none:
    if UnsafePointer(inputGradient) != outputGradient { inputGradient.update(from: outputGradient, count: count) }
  case .sigmoid:
    for i in 0..<count { inputGradient[i] = outputGradient[i] * (output[i] * (1 - output[i])) }
  case .tanh:
    for i in 0..<count { inputGradient[i] = outputGradient[i] * (1 - output[i] * output[i]) }
  case .relu:
    for i in 0..<count { inputGradient[i] = output[i] > 0 ? outputGradient[i] : 0 }
  }
}
