import Checkpoints
import Foundation
import JSONSupport

/// A Hugging Face `config.json` for `LlamaForCausalLM`.
///
/// Decoding accepts both spellings transformers has used (top-level `rope_theta`,
/// `rope_scaling` and `torch_dtype`; transformers 5's `rope_parameters` holding `rope_theta` and
/// the scaling, and `dtype`), applies transformers' defaults for absent fields, refuses what bae
/// cannot run (another `model_type`, an activation other than SiLU, projection biases, unknown
/// RoPE scaling), and validates the numbers (``validate(source:)``). Every error is a
/// `DecodingError` whose coding path is the field's JSON path (`rope_parameters.rope_type`);
/// ``load(from:)`` turns it into ``CheckpointError/invalidConfig(file:field:detail:)``.
///
/// Encoding writes both spellings older and newer transformers read (`rope_theta` /
/// `rope_scaling` and `torch_dtype` / `dtype`). Port of transformers' `LlamaConfig`
/// (https://github.com/huggingface/transformers/blob/main/src/transformers/models/llama/configuration_llama.py).
extension LlamaConfiguration: Codable {
  enum CodingKeys: String, CodingKey {
    case architectures
    case modelType = "model_type"
    case hiddenAct = "hidden_act"
    case hiddenSize = "hidden_size"
    case intermediateSize = "intermediate_size"
    case layerCount = "num_hidden_layers"
    case headCount = "num_attention_heads"
    case kvHeadCount = "num_key_value_heads"
    case headDim = "head_dim"
    case vocabularySize = "vocab_size"
    case rmsNormEpsilon = "rms_norm_eps"
    case ropeTheta = "rope_theta"
    case ropeScaling = "rope_scaling"
    case ropeParameters = "rope_parameters"
    case tieWordEmbeddings = "tie_word_embeddings"
    case maxPositionEmbeddings = "max_position_embeddings"
    case attentionBias = "attention_bias"
    case mlpBias = "mlp_bias"
    case torchDType = "torch_dtype"
    case dtype
  }

  /// Members of `rope_scaling` / `rope_parameters`.
  enum RoPEKeys: String, CodingKey {
    case ropeType = "rope_type"
    case type
    case ropeTheta = "rope_theta"
    case factor
    case lowFrequencyFactor = "low_freq_factor"
    case highFrequencyFactor = "high_freq_factor"
    case originalContextLength = "original_max_position_embeddings"
  }

  /// Decodes and validates a `config.json` in either spelling.
  ///
  /// - Throws: `DecodingError` whose coding path names the field at fault.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    if let modelType = try c.decodeIfPresent(String.self, forKey: .modelType), modelType != "llama" {
      throw DecodingError.dataCorruptedError(
        forKey: .modelType, in: c,
        debugDescription: "'\(UntrustedText.describe(modelType))' is not supported; bae runs the 'llama' architecture")
    }
    if let activation = try c.decodeIfPresent(String.self, forKey: .hiddenAct), activation != "silu" {
      throw DecodingError.dataCorruptedError(
        forKey: .hiddenAct, in: c, debugDescription: "'\(UntrustedText.describe(activation))' is not supported; Llama uses 'silu'")
    }
    for flag in [CodingKeys.attentionBias, .mlpBias] where try c.decodeIfPresent(Bool.self, forKey: flag) == true {
      throw DecodingError.dataCorruptedError(
        forKey: flag, in: c, debugDescription: "biases in attention/MLP projections are not supported yet")
    }

    let hidden = try c.requiredInteger(.hiddenSize)
    let heads = try c.requiredInteger(.headCount)
    // rope_parameters (transformers ≥ 5) holds rope_theta and the scaling; older files keep
    // rope_theta at top level and the scaling in rope_scaling.
    for key in [CodingKeys.ropeParameters, .ropeScaling] where try c.isPresentButNotObject(key) {
      throw DecodingError.dataCorruptedError(
        forKey: key, in: c, debugDescription: "must be an object (with rope_type and its factors) or null")
    }
    let ropeKey: CodingKeys? =
      try c.isObject(.ropeParameters) ? .ropeParameters : c.isObject(.ropeScaling) ? .ropeScaling : nil
    let rope = try ropeKey.map { try c.nestedContainer(keyedBy: RoPEKeys.self, forKey: $0) }
    let theta: Float
    if let rope, ropeKey == .ropeParameters, rope.contains(.ropeTheta) {
      theta = try rope.requiredFloat(.ropeTheta)
    } else {
      theta = try c.float(.ropeTheta) ?? 10000
    }
    let scaling = try rope.map(Self.decodeScaling) ?? RoPEScaling.none

    self.init(
      hiddenSize: hidden,
      intermediateSize: try c.requiredInteger(.intermediateSize),
      layerCount: try c.requiredInteger(.layerCount),
      headCount: heads,
      kvHeadCount: try c.integer(.kvHeadCount) ?? heads,
      headDim: try c.integer(.headDim) ?? (heads > 0 ? hidden / heads : 0),
      vocabularySize: try c.requiredInteger(.vocabularySize),
      rmsNormEpsilon: try c.float(.rmsNormEpsilon) ?? 1e-6,
      ropeTheta: theta,
      ropeScaling: scaling,
      tieWordEmbeddings: try c.decodeIfPresent(Bool.self, forKey: .tieWordEmbeddings) ?? false,
      maxPositionEmbeddings: try c.integer(.maxPositionEmbeddings) ?? 2048,
      declaredDType: try c.decodeIfPresent(String.self, forKey: .dtype)
        ?? c.decodeIfPresent(String.self, forKey: .torchDType))
    if let problem = validationProblem() {
      // RoPE problems are named after the member the file actually used.
      var field = problem.field
      if ropeKey == .ropeParameters, field.hasPrefix("rope_scaling.") {
        field = "rope_parameters." + field.dropFirst("rope_scaling.".count)
      }
      throw DecodingError.dataCorrupted(
        DecodingError.Context(codingPath: [FieldKey(field)], debugDescription: problem.detail))
    }
  }

  /// `rope_scaling` / `rope_parameters`: `rope_type` (or the older `type`) and its factors.
  private static func decodeScaling(_ rope: KeyedDecodingContainer<RoPEKeys>) throws -> RoPEScaling {
    let type =
      try rope.decodeIfPresent(String.self, forKey: .ropeType) ?? rope.decodeIfPresent(String.self, forKey: .type)
      ?? "default"
    switch type {
    case "default":
      return .none
    case "linear":
      return .linear(factor: try rope.requiredFloat(.factor))
    case "llama3":
      return .llama3(
        factor: try rope.requiredFloat(.factor),
        lowFrequencyFactor: try rope.requiredFloat(.lowFrequencyFactor),
        highFrequencyFactor: try rope.requiredFloat(.highFrequencyFactor),
        originalContextLength: try rope.requiredInteger(.originalContextLength))
    default:
      throw DecodingError.dataCorruptedError(
        forKey: .ropeType, in: rope,
        debugDescription: "unknown RoPE scaling type '\(UntrustedText.describe(type))'; supported: default, linear, llama3")
    }
  }

  /// Writes `config.json` for `LlamaForCausalLM`, in both spellings.
  ///
  /// - Throws: `EncodingError.invalidValue` at `rope_scaling` for per-frequency RoPE factors
  ///   (GGUF `rope_freqs.weight`), which `config.json` cannot express.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(["LlamaForCausalLM"], forKey: .architectures)
    try c.encode("llama", forKey: .modelType)
    try c.encode("silu", forKey: .hiddenAct)
    try c.encode(hiddenSize, forKey: .hiddenSize)
    try c.encode(intermediateSize, forKey: .intermediateSize)
    try c.encode(layerCount, forKey: .layerCount)
    try c.encode(headCount, forKey: .headCount)
    try c.encode(kvHeadCount, forKey: .kvHeadCount)
    try c.encode(headDim, forKey: .headDim)
    try c.encode(vocabularySize, forKey: .vocabularySize)
    try c.encode(rmsNormEpsilon, forKey: .rmsNormEpsilon)
    try c.encode(ropeTheta, forKey: .ropeTheta)
    try c.encode(tieWordEmbeddings, forKey: .tieWordEmbeddings)
    try c.encode(maxPositionEmbeddings, forKey: .maxPositionEmbeddings)
    try c.encode(false, forKey: .attentionBias)
    try c.encode(false, forKey: .mlpBias)
    if let declaredDType {
      try c.encode(declaredDType, forKey: .torchDType)
      try c.encode(declaredDType, forKey: .dtype)
    }
    switch ropeScaling {
    case .none:
      try c.encodeNil(forKey: .ropeScaling)
    case .linear(let factor):
      var rope = c.nestedContainer(keyedBy: RoPEKeys.self, forKey: .ropeScaling)
      try rope.encode("linear", forKey: .ropeType)
      try rope.encode(factor, forKey: .factor)
    case .llama3(let factor, let low, let high, let original):
      var rope = c.nestedContainer(keyedBy: RoPEKeys.self, forKey: .ropeScaling)
      try rope.encode("llama3", forKey: .ropeType)
      try rope.encode(factor, forKey: .factor)
      try rope.encode(low, forKey: .lowFrequencyFactor)
      try rope.encode(high, forKey: .highFrequencyFactor)
      try rope.encode(original, forKey: .originalContextLength)
    case .frequencyFactors:
      throw EncodingError.invalidValue(
        ropeScaling,
        EncodingError.Context(
          codingPath: c.codingPath + [CodingKeys.ropeScaling],
          debugDescription: "per-frequency RoPE factors cannot be written to config.json"))
    }
  }

  /// Parses a Hugging Face `config.json`.
  ///
  /// - Throws: ``CheckpointError/unreadable(file:reason:)``, or
  ///   ``CheckpointError/invalidConfig(file:field:detail:)`` for a missing or invalid field, an
  ///   unsupported architecture or activation, or an unknown RoPE scaling type.
  public static func load(from url: URL) throws(CheckpointError) -> LlamaConfiguration {
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
      throw .unreadable(file: url, reason: error.localizedDescription)
    }
    do {
      return try JSONDecoder().decode(LlamaConfiguration.self, from: data)
    } catch let error as DecodingError {
      throw CheckpointError(decoding: error, file: url)
    } catch {
      throw .invalidConfig(file: url, field: "(root)", detail: String(describing: error))
    }
  }
}

/// A coding key for a field named in a validation message (`rms_norm_eps/rope_theta`).
private struct FieldKey: CodingKey {
  var stringValue: String
  var intValue: Int? { nil }
  init(_ name: String) { stringValue = name }
  init?(stringValue: String) { self.stringValue = stringValue }
  init?(intValue: Int) { nil }
}

extension KeyedDecodingContainer {
  /// Whether `key` holds an object (absent, null and other values read as no).
  fileprivate func isObject(_ key: Key) throws -> Bool {
    guard contains(key), try !decodeNil(forKey: key) else { return false }
    return (try? nestedContainer(keyedBy: Key.self, forKey: key)) != nil
  }

  /// Whether `key` holds something other than an object or null.
  fileprivate func isPresentButNotObject(_ key: Key) throws -> Bool {
    guard contains(key), try !decodeNil(forKey: key) else { return false }
    return (try? nestedContainer(keyedBy: Key.self, forKey: key)) == nil
  }

  /// An integer field, or `nil` when absent or null; integral numbers written with a fraction
  /// (`64.0`) count as integers.
  fileprivate func integer(_ key: Key) throws -> Int? {
    let number: Double?
    do { number = try decodeIfPresent(Double.self, forKey: key) } catch DecodingError.typeMismatch {
      throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "not an integer")
    }
    guard let number else { return nil }
    guard let integer = Int(exactly: number) else {
      throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "not an integer")
    }
    return integer
  }

  fileprivate func requiredInteger(_ key: Key) throws -> Int {
    guard let value = try integer(key) else { throw missing(key) }
    return value
  }

  /// A number field as `Float` (read as `Double`, then rounded), or `nil` when absent or null.
  fileprivate func float(_ key: Key) throws -> Float? {
    do { return try decodeIfPresent(Double.self, forKey: key).map { Float($0) } } catch DecodingError.typeMismatch {
      throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "not a number")
    }
  }

  fileprivate func requiredFloat(_ key: Key) throws -> Float {
    guard let value = try float(key) else { throw missing(key) }
    return value
  }

  private func missing(_ key: Key) -> DecodingError {
    .keyNotFound(key, DecodingError.Context(codingPath: codingPath, debugDescription: "missing"))
  }
}
