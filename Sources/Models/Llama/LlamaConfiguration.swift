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
/// Reads a Hugging Face `config.json` in both spellings transformers has used: the older
/// top-level `rope_theta` / `rope_scaling` / `torch_dtype`, and transformers 5's
/// `rope_parameters` / `dtype`.
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
    let perLayer = 2 * hiddenSize + 2 * queryWidth * hiddenSize + 2 * keyValueWidth * hiddenSize
      + 3 * intermediateSize * hiddenSize
    return vocabularySize * hiddenSize * (separateHead ? 2 : 1) + hiddenSize + layerCount * perLayer
  }

  /// Checks the numbers fit together.
  ///
  /// - Throws: ``CheckpointError/invalidConfig(file:field:detail:)`` naming the field.
  public func validate(source: URL) throws(CheckpointError) {
    func positive(_ value: Int, _ field: String) throws(CheckpointError) {
      guard value > 0 else { throw .invalidConfig(file: source, field: field, detail: "must be > 0, got \(value)") }
    }
    try positive(hiddenSize, "hidden_size")
    try positive(intermediateSize, "intermediate_size")
    try positive(layerCount, "num_hidden_layers")
    try positive(headCount, "num_attention_heads")
    try positive(kvHeadCount, "num_key_value_heads")
    try positive(headDim, "head_dim")
    try positive(vocabularySize, "vocab_size")
    guard headCount % kvHeadCount == 0 else {
      throw .invalidConfig(
        file: source, field: "num_key_value_heads",
        detail: "\(kvHeadCount) does not divide num_attention_heads \(headCount)")
    }
    guard headDim % 2 == 0 else {
      throw .invalidConfig(file: source, field: "head_dim", detail: "must be even for RoPE, got \(headDim)")
    }
    guard rmsNormEpsilon > 0, ropeTheta > 0 else {
      throw .invalidConfig(file: source, field: "rms_norm_eps/rope_theta", detail: "must be positive")
    }
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

extension LlamaConfiguration {
  /// Parses a Hugging Face `config.json`.
  ///
  /// - Throws: ``CheckpointError/invalidConfig(file:field:detail:)`` for a missing or invalid
  ///   field, an unsupported architecture or activation, or an unknown RoPE scaling type.
  public static func load(from url: URL) throws(CheckpointError) -> LlamaConfiguration {
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
      throw .unreadable(file: url, reason: error.localizedDescription)
    }
    guard let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
      throw .invalidConfig(file: url, field: "(root)", detail: "not a JSON object")
    }
    return try parse(json, source: url)
  }

  static func parse(_ json: [String: Any], source url: URL) throws(CheckpointError) -> LlamaConfiguration {
    func int(_ key: String, default fallback: Int? = nil) throws(CheckpointError) -> Int {
      if let n = json[key] as? NSNumber, Double(n.intValue) == n.doubleValue { return n.intValue }
      if json[key] == nil || json[key] is NSNull, let fallback { return fallback }
      throw .invalidConfig(file: url, field: key, detail: json[key] == nil ? "missing" : "not an integer")
    }
    func float(_ object: [String: Any], _ key: String, default fallback: Float? = nil, field: String? = nil)
      throws(CheckpointError) -> Float
    {
      if let n = object[key] as? NSNumber { return n.floatValue }
      if object[key] == nil || object[key] is NSNull, let fallback { return fallback }
      throw .invalidConfig(file: url, field: field ?? key, detail: object[key] == nil ? "missing" : "not a number")
    }

    if let modelType = json["model_type"] as? String, modelType != "llama" {
      throw .invalidConfig(
        file: url, field: "model_type",
        detail: "'\(modelType)' is not supported; bae runs the 'llama' architecture")
    }
    if let activation = json["hidden_act"] as? String, activation != "silu" {
      throw .invalidConfig(file: url, field: "hidden_act", detail: "'\(activation)' is not supported; Llama uses 'silu'")
    }
    for flag in ["attention_bias", "mlp_bias"] where (json[flag] as? Bool) == true {
      throw .invalidConfig(file: url, field: flag, detail: "biases in attention/MLP projections are not supported yet")
    }

    let hidden = try int("hidden_size")
    let heads = try int("num_attention_heads")
    // rope_parameters (transformers ≥ 5) holds rope_theta and the scaling; older files keep
    // rope_theta at top level and the scaling in rope_scaling.
    let ropeParameters = json["rope_parameters"] as? [String: Any]
    let scalingObject = ropeParameters ?? (json["rope_scaling"] as? [String: Any])
    let scalingField = ropeParameters != nil ? "rope_parameters" : "rope_scaling"
    let theta: Float
    if let ropeParameters, ropeParameters["rope_theta"] != nil {
      theta = try float(ropeParameters, "rope_theta", field: "rope_parameters.rope_theta")
    } else {
      theta = try float(json, "rope_theta", default: 10000)
    }
    var scaling = RoPEScaling.none
    if let scalingObject {
      let type = (scalingObject["rope_type"] as? String) ?? (scalingObject["type"] as? String) ?? "default"
      switch type {
      case "default":
        scaling = .none
      case "linear":
        scaling = .linear(factor: try float(scalingObject, "factor", field: "\(scalingField).factor"))
      case "llama3":
        scaling = .llama3(
          factor: try float(scalingObject, "factor", field: "\(scalingField).factor"),
          lowFrequencyFactor: try float(scalingObject, "low_freq_factor", field: "\(scalingField).low_freq_factor"),
          highFrequencyFactor: try float(scalingObject, "high_freq_factor", field: "\(scalingField).high_freq_factor"),
          originalContextLength: Int(
            try float(
              scalingObject, "original_max_position_embeddings",
              field: "\(scalingField).original_max_position_embeddings")))
      default:
        throw .invalidConfig(
          file: url, field: "\(scalingField).rope_type",
          detail: "unknown RoPE scaling type '\(type)'; supported: default, linear, llama3")
      }
    }
    let config = LlamaConfiguration(
      hiddenSize: hidden,
      intermediateSize: try int("intermediate_size"),
      layerCount: try int("num_hidden_layers"),
      headCount: heads,
      kvHeadCount: try int("num_key_value_heads", default: heads),
      headDim: try int("head_dim", default: heads > 0 ? hidden / heads : 0),
      vocabularySize: try int("vocab_size"),
      rmsNormEpsilon: try float(json, "rms_norm_eps", default: 1e-6),
      ropeTheta: theta,
      ropeScaling: scaling,
      tieWordEmbeddings: (json["tie_word_embeddings"] as? Bool) ?? false,
      maxPositionEmbeddings: try int("max_position_embeddings", default: 2048),
      declaredDType: (json["dtype"] as? String) ?? (json["torch_dtype"] as? String))
    try config.validate(source: url)
    return config
  }
}
