import Foundation

// Legend: B = batch rows, m = code width (d'); every buffer here is elementwise, so kernels take
// one `count` (= B·m for a batch of codes).

/// How the binary autoencoder's step function is run forward and differentiated backward.
///
/// Every estimator except `squarewave` uses the step `h = 1 if z > 0 else 0` (strictly greater,
/// as the reference code; the paper writes ≥). The backward rules follow the reference code
/// `hc495/Binary_Autoencoder`, which feeds the *incoming gradient* `g = ∂L/∂h`, not the
/// pre-activation, into the surrogate derivative (see `shared/reference/bae-method.md` §2).
public enum BinarizationEstimator: String, CaseIterable, Sendable, Codable {
  /// Identity straight-through estimator: `∂L/∂z = g`.
  case sign
  /// The reference default: `∂L/∂z = g·(1 − g)`, elementwise on the incoming gradient.
  case signS = "sign_s"
  /// The paper-form alternative with the true sigmoid slope: `∂L/∂z = g·σ(z)·(1 − σ(z))`.
  case sigmoid
  /// Square wave: forward `h = 1 if (z mod 2) < 1 else 0` (floor-mod, period fixed at 2 as in
  /// the reference); backward `∂L/∂z = π·cos(2π·g)`, exactly as the reference code writes it
  /// (a function of the incoming gradient only, so it is π where `g = 0`).
  case squarewave
}

/// Binarizes pre-activations: `codes[i] = step(z[i])` with the estimator's forward rule.
///
/// `step(z) = 1` if `z > 0`, else `0`; for ``BinarizationEstimator/squarewave``,
/// `1` if `z − 2·⌊z/2⌋ < 1` (torch's `remainder(z, 2) < 1`), else `0`.
///
/// - Parameters:
///   - codes: output `[count]` of 0/1 values (may alias `preactivations`).
///   - preactivations: `z`, `[count]`.
///   - count: number of elements (`B·m` for a batch).
///   - estimator: chooses the forward rule.
@inlinable
public func binarizeForward(
  _ codes: UnsafeMutablePointer<Float>, _ preactivations: UnsafePointer<Float>, count: Int,
  estimator: BinarizationEstimator
) {
  switch estimator {
  case .sign, .signS, .sigmoid:
    for i in 0..<count { codes[i] = preactivations[i] > 0 ? 1 : 0 }
  case .squarewave:
    for i in 0..<count {
      // torch.remainder for floats: fmod, then shift a negative remainder into [0, 2).
      var r = fmodf(preactivations[i], 2)
      if r < 0 { r += 2 }
      codes[i] = r < 1 ? 1 : 0
    }
  }
}

/// The estimator's surrogate gradient of the binarization: `∂L/∂z` from `g = ∂L/∂h`.
///
/// | estimator | `∂L/∂z` |
/// | --- | --- |
/// | `sign` | `g` |
/// | `signS` | `g·(1 − g)` |
/// | `sigmoid` | `g·σ(z)·(1 − σ(z))` |
/// | `squarewave` | `π·cos(2π·g)` |
///
/// - Parameters:
///   - preactivationGradient: output `∂L/∂z`, `[count]` (may alias `codeGradient`).
///   - codeGradient: `g = ∂L/∂h`, `[count]`.
///   - preactivations: `z`, `[count]`; read only by `sigmoid`.
///   - count: number of elements.
///   - estimator: chooses the rule.
@inlinable
public func binarizeBackward(
  _ preactivationGradient: UnsafeMutablePointer<Float>, codeGradient: UnsafePointer<Float>,
  preactivations: UnsafePointer<Float>, count: Int, estimator: BinarizationEstimator
) {
  switch estimator {
  case .sign:
    for i in 0..<count { preactivationGradient[i] = codeGradient[i] }
  case .signS:
    for i in 0..<count {
      let g = codeGradient[i]
      preactivationGradient[i] = g * (1 - g)
    }
  case .sigmoid:
    for i in 0..<count {
      let s = 1 / (1 + expf(-preactivations[i]))
      preactivationGradient[i] = codeGradient[i] * (s * (1 - s))
    }
  case .squarewave:
    let pi = Float.pi
    for i in 0..<count { preactivationGradient[i] = pi * cosf(2 * pi * codeGradient[i]) }
  }
}
