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

  /// The first RoPE field that makes no sense (a factor that is zero, negative or not finite,
  /// a low-frequency factor not below the high one, a context length ≤ 0), named as in
  /// `config.json`'s `rope_scaling`/`rope_parameters`, or `nil`.
  func validationProblem(headDim: Int) -> (field: String, detail: String)? {
    func positive(_ value: Float, _ field: String) -> (field: String, detail: String)? {
      value.isFinite && value > 0 ? nil : ("rope_scaling.\(field)", "must be a positive number, got \(value)")
    }
    switch self {
    case .none:
      return nil
    case .linear(let factor):
      return positive(factor, "factor")
    case .llama3(let factor, let low, let high, let original):
      if let problem = positive(factor, "factor") ?? positive(low, "low_freq_factor")
        ?? positive(high, "high_freq_factor")
      {
        return problem
      }
      guard high > low else {
        return ("rope_scaling.high_freq_factor", "must be larger than low_freq_factor \(low), got \(high)")
      }
      guard original > 0 else {
        return ("rope_scaling.original_max_position_embeddings", "must be > 0, got \(original)")
      }
      return nil
    case .frequencyFactors(let factors):
      if let bad = factors.first(where: { !($0.isFinite && $0 > 0) }) {
        return ("rope_freqs", "every factor must be a positive number, found \(bad)")
      }
      return nil
    }
  }
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
  /// Context length the model was trained for; longer inputs still run, with a
  /// ``ContextLengthWarning`` from the forward pass.
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

  /// Upper bounds on the sizes a configuration may declare, far above any real Llama model and
  /// low enough that every size derived from them (widths, parameter counts, tensor-name lists)
  /// fits in `Int` without overflow. A file that declares more is refused before anything is
  /// allocated.
  public enum Limits {
    /// Decoder blocks (real models: at most a few hundred).
    public static let layers = 10_000
    /// Attention heads, query or key/value.
    public static let heads = 4096
    /// Any width: hidden, intermediate, head, all query heads together.
    public static let width = 1 << 20
    /// Vocabulary entries (token ids are 32-bit).
    public static let vocabulary = 1 << 24
    /// `max_position_embeddings`.
    public static let positions = 1 << 30
  }

  /// The first field whose value does not fit the others (by its `config.json` name), or `nil`.
  func validationProblem() -> (field: String, detail: String)? {
    let counts: [(Int, String, Int)] = [
      (hiddenSize, "hidden_size", Limits.width), (intermediateSize, "intermediate_size", Limits.width),
      (layerCount, "num_hidden_layers", Limits.layers), (headCount, "num_attention_heads", Limits.heads),
      (kvHeadCount, "num_key_value_heads", Limits.heads), (headDim, "head_dim", Limits.width),
      (vocabularySize, "vocab_size", Limits.vocabulary),
      (maxPositionEmbeddings, "max_position_embeddings", Limits.positions),
    ]
    for (value, field, limit) in counts {
      if value <= 0 { return (field, "must be > 0, got \(value)") }
      if value > limit { return (field, "\(value) is larger than bae accepts (at most \(limit))") }
    }
    guard headCount % kvHeadCount == 0 else {
      return ("num_key_value_heads", "\(kvHeadCount) does not divide num_attention_heads \(headCount)")
    }
    guard headDim % 2 == 0 else { return ("head_dim", "must be even for RoPE, got \(headDim)") }
    guard queryWidth <= Limits.width else {
      return ("head_dim", "num_attention_heads × head_dim = \(queryWidth) is larger than bae accepts (at most \(Limits.width))")
    }
    guard rmsNormEpsilon.isFinite, rmsNormEpsilon > 0 else {
      return ("rms_norm_eps", "must be a positive number, got \(rmsNormEpsilon)")
    }
    guard ropeTheta.isFinite, ropeTheta > 0 else { return ("rope_theta", "must be a positive number, got \(ropeTheta)") }
    return ropeScaling.validationProblem(headDim: headDim)
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
