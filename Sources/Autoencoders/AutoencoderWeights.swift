import TensorCore

/// The parameters of an autoencoder, in the SAELens layout (`x̂ = f(x·W_enc + b_enc)·W_dec + b_dec`).
///
/// Legend: `d` = input width, `m` = code width.
public struct AutoencoderWeights: Sendable, Equatable {
  /// `W_enc`, `[d, m]` (the reference's `encoder.weight` transposed).
  public var encoderWeight: Matrix
  /// `b_enc`, `[1, m]`.
  public var encoderBias: Matrix
  /// `W_dec`, `[m, d]` (the reference's `decoder.weight` transposed).
  public var decoderWeight: Matrix
  /// `b_dec`, `[1, d]`; all zeros and untrained when the decoder has no bias.
  public var decoderBias: Matrix
  /// JumpReLU thresholds `θ`, `[1, m]`; empty (`[1, 0]`) for other architectures.
  public var threshold: Matrix

  /// Names of the tensors, as stored in `weights.safetensors` (SAELens names).
  public static let tensorNames = ["W_enc", "b_enc", "W_dec", "b_dec", "threshold"]

  /// Weights drawn as PyTorch's `nn.Linear` initialises them (the reference's): every weight
  /// and bias uniform in `±1/√fan_in`, with fan-in `d` for the encoder and `m` for the decoder.
  /// The draw order is fixed (encoder weight, encoder bias, decoder weight, decoder bias), so a
  /// seed gives the same weights everywhere.
  public init(configuration c: AutoencoderConfiguration, random: inout SeededRandom) {
    let (d, m) = (c.inputWidth, c.codeWidth)
    let encoderBound = 1 / Float(d).squareRoot()
    let decoderBound = 1 / Float(m).squareRoot()
    encoderWeight = Matrix.uniform(rows: d, columns: m, bound: encoderBound, using: &random)
    encoderBias = Matrix.uniform(rows: 1, columns: m, bound: encoderBound, using: &random)
    decoderWeight = Matrix.uniform(rows: m, columns: d, bound: decoderBound, using: &random)
    decoderBias =
      c.decoderBias
      ? Matrix.uniform(rows: 1, columns: d, bound: decoderBound, using: &random) : Matrix(rows: 1, columns: d)
    threshold =
      c.architecture == .jumprelu
      ? Matrix(rows: 1, columns: m, repeating: c.jumpThreshold) : Matrix(rows: 1, columns: 0)
  }

  /// Weights from given tensors.
  public init(encoderWeight: Matrix, encoderBias: Matrix, decoderWeight: Matrix, decoderBias: Matrix, threshold: Matrix)
  {
    self.encoderWeight = encoderWeight
    self.encoderBias = encoderBias
    self.decoderWeight = decoderWeight
    self.decoderBias = decoderBias
    self.threshold = threshold
  }

  /// Zero tensors of the same shapes (gradients, optimiser moments).
  public func zeros() -> AutoencoderWeights {
    func z(_ m: Matrix) -> Matrix { Matrix(rows: m.rows, columns: m.columns) }
    return AutoencoderWeights(
      encoderWeight: z(encoderWeight), encoderBias: z(encoderBias), decoderWeight: z(decoderWeight),
      decoderBias: z(decoderBias), threshold: z(threshold))
  }

  /// The tensor called `name` (one of ``tensorNames``).
  public subscript(name: String) -> Matrix {
    get {
      switch name {
      case "W_enc": encoderWeight
      case "b_enc": encoderBias
      case "W_dec": decoderWeight
      case "b_dec": decoderBias
      case "threshold": threshold
      default: preconditionFailure("no autoencoder tensor \(name)")
      }
    }
    set {
      switch name {
      case "W_enc": encoderWeight = newValue
      case "b_enc": encoderBias = newValue
      case "W_dec": decoderWeight = newValue
      case "b_dec": decoderBias = newValue
      case "threshold": threshold = newValue
      default: preconditionFailure("no autoencoder tensor \(name)")
      }
    }
  }

  /// Runs `body` on the tensor called `name` in place (no copy of its values).
  public mutating func modify<R>(_ name: String, _ body: (inout Matrix) throws -> R) rethrows -> R {
    switch name {
    case "W_enc": return try body(&encoderWeight)
    case "b_enc": return try body(&encoderBias)
    case "W_dec": return try body(&decoderWeight)
    case "b_dec": return try body(&decoderBias)
    case "threshold": return try body(&threshold)
    default: preconditionFailure("no autoencoder tensor \(name)")
    }
  }

  /// Whether every value is finite.
  public var isFinite: Bool {
    Self.tensorNames.allSatisfy { self[$0].values.allSatisfy(\.isFinite) }
  }
}
