import TensorCore

extension Autoencoder {
  /// Reconstructions from codes, in the raw input space: ``decode(_:context:)`` mapped back
  /// through the input normalisation (an autoencoder), or the predicted targets (a transcoder).
  public func reconstruction(fromCodes codes: Matrix, context: ComputeContext) -> Matrix {
    let out = decode(codes, context: context)
    return configuration.targetHook == nil ? configuration.normalization.invert(out) : out
  }

  /// The same function on raw inputs with the input normalisation folded into the weights
  /// (`normalization` becomes `.none`), for formats that have no place for it (SAELens):
  ///
  ///     z = ((x − μ)/σ)·W_enc + b_enc  =  x·(W_enc/σ) + (b_enc − (μ/σ)·W_enc)
  ///     x̂ = σ·(h·W_dec + b_dec) + μ     =  h·(W_dec·σ) + (b_dec·σ + μ)      (autoencoders only)
  ///
  /// with `σ = 1/s`, `μ = 0` for the scalar scaling. Codes are unchanged (thresholds act on `z`).
  ///
  /// - Returns: `nil` when the decoder side cannot be folded (an output activation with a
  ///   normalised autoencoder).
  public func foldingNormalization() -> Autoencoder? {
    let c = configuration
    let d = c.inputWidth
    let (mean, std): ([Float], [Float])
    switch c.normalization {
    case .none: return self
    case .scale(let s): (mean, std) = ([Float](repeating: 0, count: d), [Float](repeating: 1 / s, count: d))
    case .perDimension(let m, let s): (mean, std) = (m, s)
    }
    let foldsDecoder = c.targetHook == nil
    if foldsDecoder, c.outputActivation != .none { return nil }
    var w = weights
    let m = c.codeWidth
    for i in 0..<d {
      for j in 0..<m {
        let original = weights.encoderWeight[i, j]
        w.encoderWeight[i, j] = original / std[i]
        w.encoderBias[0, j] -= mean[i] / std[i] * original
      }
    }
    if foldsDecoder {
      for j in 0..<m { for i in 0..<d { w.decoderWeight[j, i] *= std[i] } }
      for i in 0..<d { w.decoderBias[0, i] = weights.decoderBias[0, i] * std[i] + mean[i] }
    }
    var folded = c
    folded.normalization = .none
    if foldsDecoder { folded.decoderBias = true }
    return try? Autoencoder(configuration: folded, weights: w)
  }
}
