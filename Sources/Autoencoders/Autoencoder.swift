import TensorCore

// Legend: B = rows of a batch, d = input width, m = code width.

/// A trained (or initialised) autoencoder: its configuration and weights, and the maps between
/// hidden states and codes.
public struct Autoencoder: Sendable, Equatable {
  public var configuration: AutoencoderConfiguration
  public var weights: AutoencoderWeights

  /// Pairs a configuration with weights.
  ///
  /// - Throws: ``AutoencoderError`` if the configuration is invalid or a tensor's shape differs
  ///   from what it implies.
  public init(configuration: AutoencoderConfiguration, weights: AutoencoderWeights) throws(AutoencoderError) {
    try configuration.validate()
    let (d, m) = (configuration.inputWidth, configuration.codeWidth)
    let expected: [(String, [Int])] = [
      ("W_enc", [d, m]), ("b_enc", [1, m]), ("W_dec", [m, d]), ("b_dec", [1, d]),
      ("threshold", [1, configuration.architecture == .jumprelu ? m : 0]),
    ]
    for (name, shape) in expected where weights[name].shape != shape {
      throw .invalidConfiguration(
        key: name, reason: "tensor has shape \(weights[name].shape), the configuration implies \(shape)")
    }
    self.configuration = configuration
    self.weights = weights
  }

  /// A freshly initialised autoencoder (see ``AutoencoderWeights/init(configuration:random:)``).
  public init(configuration: AutoencoderConfiguration, seed: UInt64) throws(AutoencoderError) {
    try configuration.validate()
    var random = SeededRandom(seed: seed)
    self.configuration = configuration
    weights = AutoencoderWeights(configuration: configuration, random: &random)
  }

  /// Pre-activations `z = n(x)·W_enc + b_enc`, `[B, m]` from raw inputs `x` `[B, d]` (`n` is
  /// the configured input normalisation).
  public func preactivations(_ x: Matrix, context: ComputeContext) -> Matrix {
    precondition(
      x.columns == configuration.inputWidth, "input width \(x.columns), expected \(configuration.inputWidth)")
    var z = Matrix(rows: x.rows, columns: configuration.codeWidth)
    addRowVector(weights.encoderBias, to: &z, workers: context.threads)
    Matrix.multiply(configuration.normalization.apply(x), weights.encoderWeight, into: &z, beta: 1, context: context)
    return z
  }

  /// Codes `h`, `[B, m]`: bits (0/1) for a BAE, sparse activations for the SAEs.
  public func encode(_ x: Matrix, context: ComputeContext) -> Matrix {
    let z = preactivations(x, context: context)
    var codes = Matrix(rows: z.rows, columns: z.columns)
    let scratch = CodeScratch()
    let function = configuration.architecture.codeFunction
    z.withUnsafeBufferPointer { pre in
      codes.withUnsafeMutableBufferPointer { out in
        weights.threshold.withUnsafeBufferPointer { theta in
          function.forward(
            out.baseAddress!, pre: pre.baseAddress!, rows: z.rows, columns: z.columns, configuration: configuration,
            thresholds: theta.isEmpty ? nil : theta.baseAddress!, scratch: scratch, workers: context.threads)
        }
      }
    }
    return codes
  }

  /// Decoder outputs `f(h·W_dec + b_dec)`, `[B, d]` from codes `[B, m]`, in the space the
  /// autoencoder was trained in (normalised inputs; a transcoder's raw targets).
  public func decode(_ codes: Matrix, context: ComputeContext) -> Matrix {
    precondition(
      codes.columns == configuration.codeWidth, "code width \(codes.columns), expected \(configuration.codeWidth)")
    var out = Matrix(rows: codes.rows, columns: configuration.inputWidth)
    addRowVector(weights.decoderBias, to: &out, workers: context.threads)
    Matrix.multiply(codes, weights.decoderWeight, into: &out, beta: 1, context: context)
    let activation = configuration.outputActivation
    if activation != .none {
      out.withUnsafeMutableBufferPointer { o in
        outputActivationForward(o.baseAddress!, o.baseAddress!, count: o.count, activation: activation)
      }
    }
    return out
  }

  /// Reconstructions of raw inputs in their own space: `decode(encode(x))`, mapped back through
  /// the input normalisation (an autoencoder), or the predicted targets (a transcoder).
  public func reconstruct(_ x: Matrix, context: ComputeContext) -> Matrix {
    reconstruction(fromCodes: encode(x, context: context), context: context)
  }
}

/// `m[i, :] = v` for every row (the bias before a `beta = 1` product), over `workers` chunks of
/// rows.
func addRowVector(_ v: Matrix, to m: inout Matrix, workers: Int = 1) {
  precondition(v.count == m.columns, "bias of \(v.count) values for \(m.columns) columns")
  let (rows, columns) = (m.rows, m.columns)
  guard rows > 0, columns > 0 else { return }
  m.withUnsafeMutableBufferPointer { out in
    v.withUnsafeBufferPointer { bias in
      let (out, bias) = (out.baseAddress!, bias.baseAddress!)
      parallelChunks(rows, workers: workers) { _, range in
        for r in range { (out + r * columns).update(from: bias, count: columns) }
      }
    }
  }
}
