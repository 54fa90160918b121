/// The autoencoder architectures `bae` trains, and what distinguishes them: the code function
/// between encoder and decoder, and its regulariser.
///
/// | architecture | code `h` from pre-activations `z` | regulariser |
/// | --- | --- | --- |
/// | `bae` | `1[z > 0]` (binary, straight-through gradient estimator) | minibatch entropy + covariance |
/// | `relu` | `max(z, 0)` | L1 `Σ|h|` (unnormalised, as the reference) |
/// | `topk` | per row, entries `≥` the k-th largest (ties kept) | none |
/// | `batchtopk` | the `B·k` largest entries of the batch | none |
/// | `jumprelu` | `z·1[z > θ_j]`, `θ` fixed (or learned with a straight-through estimator) | none |
/// | `transcoder` | as `relu`, trained to map one hook (MLP input) to another (MLP output) | L1 |
///
/// Adding an architecture: one file with a ``CodeFunction`` and one line in ``codeFunction``.
public enum Architecture: String, Sendable, Hashable, Codable, CaseIterable {
  case bae
  case relu
  case topk
  case batchtopk
  case jumprelu
  case transcoder

  /// Whether codes are bits (the BAE).
  public var isBinary: Bool { self == .bae }

  /// Whether inputs and targets come from two different hooks.
  public var mapsBetweenHooks: Bool { self == .transcoder }

  /// The registry: the code function of each architecture.
  public var codeFunction: any CodeFunction {
    switch self {
    case .bae: BinaryCodes()
    case .relu, .transcoder: ReLUCodes()
    case .topk: TopKCodes()
    case .batchtopk: BatchTopKCodes()
    case .jumprelu: JumpReLUCodes()
    }
  }
}
