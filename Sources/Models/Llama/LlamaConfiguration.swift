import Checkpoints
import Foundation

/// How rotary position frequencies are rescaled for long contexts (`rope_scaling` /
/// `rope_parameters` in `config.json`).
///
/// Port of transformers' `modeling_rope_utils` for the types Llama checkpoints use.
public enum RoPEScaling: Sendable, Equatable {
  /// Plain RoPE.
  case none
  /// Position interpolation: every inverse frequency divided by `factor`.
  case linear(factor: Float)
  /// Llama 3.1's piecewise scaling of low and medium frequencies.
  case llama3(factor: Float, lowFrequencyFactor: Float, highFrequencyFactor: Float, originalContextLength: Int)
  /// One divisor per frequency, `[headDim/2]` (GGUF's `rope_freqs.weight`, which is how
  /// llama.cpp stores Llama 3 scaling).
  case frequencyFactors([Float])
}

/// The architecture of a Llama-family model: the "blueprint", with no weights.
///
/// `Codable` as a Hugging Face `config.json` (see `LlamaConfiguration+Codable.swift`), read in
/// both spellings transformers has used: the older top-level `rope_theta` / `rope_scaling` /
/// `torch_dtype`, and transformers 5's `rope_parameters` / `dtype`.
public struct LlamaConfiguration: Sendable, Equatable {
  /// Width of the residual stream, `d`.
  public var hiddenSize: Int
  /// Width of the MLP's hidden layer.
  public var intermediateSize: Int
  /// Number of decoder blocks.
  public var layerCount: Int
  /// Number of query heads.
  public var headCount: Int
  /// Number of key/value heads (grouped-query attention when smaller than `headCount`).
  public var kvHeadCount: Int
  /// Width of one attention head (`head_dim`, default `hiddenSize / headCount`).
  public var headDim: Int
  /// Vocabulary size.
  public var vocabularySize: Int
  /// RMSNorm epsilon.
  public var rmsNormEpsilon: Float
  /// RoPE base frequency θ.
  public var ropeTheta: Float
  /// Frequency rescaling.
  public var ropeScaling: RoPEScaling
  /// Whether the LM head reuses the token embedding matrix.
  public var tieWordEmbeddings: Bool
  /// Context length the model was trained for (informational; longer inputs still run).
  public var maxPositionEmbeddings: Int
  /// The dtype the checkpoint declares (`torch_dtype`/`dtype`), informational.
  public var declaredDType: String?

  /// Creates a configuration; call ``validate(source:)`` before use.
  public init(
    hiddenSize: Int, intermediateSize: Int, layerCount: Int, headCount: Int, kvHeadCount: Int,
    headDim: Int? = nil, vocabularySize: Int, rmsNormEpsilon: Float, ropeTheta: Float,
    ropeScaling: RoPEScaling = .none, tieWordEmbeddings: Bool, maxPositionEmbeddings: Int = 2048,
    declaredDType: String? = nil
  ) {
    self.hiddenSize = hiddenSize
    self.intermediateSize = intermediateSize
    self.layerCount = layerCount
    self.headCount = headCount
    self.kvHeadCount = kvHeadCount
    self.headDim = headDim ?? (headCount > 0 ? hiddenSize / headCount : 0)
    self.vocabularySize = vocabularySize
    self.rmsNormEpsilon = rmsNormEpsilon
    self.ropeTheta = ropeTheta
    self.ropeScaling = ropeScaling
    self.tieWordEmbeddings = tieWordEmbeddings
    self.maxPositionEmbeddings = maxPositionEmbeddings
    self.declaredDType = declaredDType
  }

  /// Width of all query heads together (`headCount · headDim`).
  public var queryWidth: Int { headCount * headDim }
  /// Width of all key (or value) heads together (`kvHeadCount · headDim`).
  public var keyValueWidth: Int { kvHeadCount * headDim }

  /// Number of parameters: embeddings, blocks, final norm, and the LM head if it is separate.
  public func parameterCount(separateHead: Bool) -> Int {
    let perLayer =
      2 * hiddenSize + 2 * queryWidth * hiddenSize + 2 * keyValueWidth * hiddenSize
      + 3 * intermediateSize * hiddenSize
    return vocabularySize * hiddenSize * (separateHead ? 2 : 1) + hiddenSize + layerCount * perLayer
  }

  /// Checks the numbers fit together.
  ///
  /// - Throws: ``CheckpointError/invalidConfig(file:field:detail:)`` naming the field.
  public func validate(source: URL) throws(CheckpointError) {
    if let problem = validationProblem() {
      throw .invalidConfig(file: source, field: problem.field, detail: problem.detail)
    }
  }

  /// The first field whose value does not fit the others (by its `config.json` name), or `nil`.
  func validationProblem() -> (field: String, detail: String)? {
    let counts: [(Int, String)] = [
      (hiddenSize, "hidden_size"), (intermediateSize, "intermediate_size"), (layerCount, "num_hidden_layers"),
      (headCount, "num_attention_heads"), (kvHeadCount, "num_key_value_heads"), (headDim, "head_dim"),
      (vocabularySize, "vocab_size"),
    ]
    for (value, field) in counts where value <= 0 { return (field, "must be > 0, got \(value)") }
    guard headCount % kvHeadCount == 0 else {
      return ("num_key_value_heads", "\(kvHeadCount) does not divide num_attention_heads \(headCount)")
    }
    guard headDim % 2 == 0 else { return ("head_dim", "must be even for RoPE, got \(headDim)") }
    guard rmsNormEpsilon > 0, ropeTheta > 0 else { return ("rms_norm_eps/rope_theta", "must be positive") }
    return nil
  }

  /// Inverse rotary frequencies `[headDim/2]`, with this configuration's scaling applied.
  ///
  /// Port of transformers' `_compute_default_rope_parameters`, `_compute_linear_scaling_rope_parameters`
  /// and `_compute_llama3_parameters`; computed in `Float` as they are.
  public func inverseFrequencies() -> [Float] {
    let half = headDim / 2
    var frequencies = (0..<half).map { i -> Float in
      let exponent = Float(2 * i) / Float(headDim)
      return 1 / Float(pow(Double(ropeTheta), Double(exponent)))
    }
    switch ropeScaling {
    case .none:
      break
    case .linear(let factor):
      frequencies = frequencies.map { $0 / factor }
    case .frequencyFactors(let factors):
      frequencies = zip(frequencies, factors).map { $0 / $1 }
    case .llama3(let factor, let low, let high, let original):
      let lowWavelength = Float(original) / low
      let highWavelength = Float(original) / high
      frequencies = frequencies.map { f in
        let wavelength = 2 * Float.pi / f
        if wavelength < highWavelength { return f }
        if wavelength > lowWavelength { return f / factor }
        let smooth = (Float(original) / wavelength - low) / (high - low)
        return (1 - smooth) * f / factor + smooth * f
      }
    }
    return frequencies
  }
}
