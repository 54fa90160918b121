import CKernels
import Foundation

/// Hyperparameters of Adam as `torch.optim.Adam` takes them (no AMSGrad, not maximising).
public struct AdamHyperparameters: Sendable, Codable, Equatable {
  /// Step size `lr`.
  public var learningRate: Double
  /// Decay of the first moment, `β1`.
  public var beta1: Double
  /// Decay of the second moment, `β2`.
  public var beta2: Double
  /// `ε`, added to the bias-corrected root second moment.
  public var epsilon: Double
  /// L2-style weight decay: `wd·w` is added to the gradient (torch's `weight_decay`, not AdamW).
  public var weightDecay: Double

  /// torch's defaults apart from the learning rate: `β = (0.9, 0.999)`, `ε = 1e-8`, no decay.
  public init(
    learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
    weightDecay: Double = 0
  ) {
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
  }
}

/// One Adam update of one parameter tensor, in place, with torch's single-tensor formulas
/// (`torch/optim/adam.py`, `_single_tensor_adam`):
///
///     g ← g + wd·w                              (if wd ≠ 0)
///     m ← m + (1 − β1)·(g − m)                  (lerp)
///     v ← β2·v + (1 − β2)·g²
///     w ← w − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
///
/// Scalars (`1 − β1`, the bias corrections, the step size) are computed in Double and rounded
/// to Float once, as torch does with Python floats.
///
/// - Parameters:
///   - parameters: `w`, `[count]`, updated.
///   - gradients: `g`, `[count]` (not modified).
///   - firstMoments: `m`, `[count]`, updated (start at 0).
///   - secondMoments: `v`, `[count]`, updated (start at 0).
///   - count: number of elements.
///   - step: `t`, the 1-based number of this update.
///   - hyperparameters: `lr`, `β1`, `β2`, `ε`, `wd`.
public func adamStep(
  _ parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
  firstMoments: UnsafeMutablePointer<Float>, secondMoments: UnsafeMutablePointer<Float>,
  count: Int, step: Int, hyperparameters h: AdamHyperparameters
) {
  precondition(step >= 1, "Adam steps are counted from 1, got \(step)")
  let t = Double(step)
  let weightDecay = Float(h.weightDecay)
  let oneMinusBeta1 = Float(1 - h.beta1)
  let beta2 = Float(h.beta2)
  let oneMinusBeta2 = Float(1 - h.beta2)
  let stepSize = Float(h.learningRate / (1 - pow(h.beta1, t)))
  let correction2Root = Float((1 - pow(h.beta2, t)).squareRoot())
  let epsilon = Float(h.epsilon)
  // The loop below, vectorised in C (a scalar Swift loop with square roots and divisions was
  // 8–20% of a training step); bit-identical to it (Tests/AutoencodersTests/OptimizerTests).
  //   g += wd·w;  m += (1 − β1)(g − m);  v = β2·v + (1 − β2)·g·g;  w += −stepSize·(m / (√v / c2 + ε))
  bae_adam_step(
    parameters, gradients, firstMoments, secondMoments, count, h.weightDecay != 0 ? weightDecay : 0, oneMinusBeta1,
    beta2, oneMinusBeta2, stepSize, correction2Root, epsilon)
}
