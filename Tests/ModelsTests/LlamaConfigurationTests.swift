import Checkpoints
import Foundation
import Models
import TestSupport
import Testing

/// `LlamaConfiguration` as `Codable`: both `config.json` spellings, transformers' defaults,
/// validation, and errors that name the field.
@Suite struct LlamaConfigurationTests {
  /// A valid configuration with `changes` (raw JSON values; `nil` removes the field).
  static func config(_ changes: [String: String?]) -> String {
    var fields: [String: String] = [
      "hidden_size": "64", "intermediate_size": "160", "num_hidden_layers": "3", "num_attention_heads": "4",
      "num_key_value_heads": "2", "vocab_size": "96",
    ]
    for (key, value) in changes { fields[key] = value }
    return "{" + fields.keys.sorted().map { "\"\($0)\": \(fields[$0]!)" }.joined(separator: ", ") + "}"
  }

  /// Writes `json` as a `config.json` and loads it.
  func load(_ json: String) throws(CheckpointError) -> LlamaConfiguration {
    let url: URL
    do {
      url = try ScratchDirectory("config").url("config.json")
      try Data(json.utf8).write(to: url)
    } catch {
      throw .unreadable(file: URL(fileURLWithPath: "config.json"), reason: "\(error)")
    }
    return try LlamaConfiguration.load(from: url)
  }

  /// The `(field, detail)` of the ``CheckpointError/invalidConfig(file:field:detail:)`` loading `json` gives.
  func problem(_ json: String) -> (field: String, detail: String)? {
    do {
      _ = try load(json)
      return nil
    } catch {
      guard case .invalidConfig(_, let field, let detail) = error else { return nil }
      return (field, detail)
    }
  }

  @Test func oldAndNewSpellingsAgree() throws {
    let scaling =
      #""factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 64"#
    let old = try load(
      Self.config([
        "rope_theta": "500000.0", "torch_dtype": #""bfloat16""#, "rope_scaling": #"{"type": "llama3", \#(scaling)}"#,
      ]))
    let new = try load(
      Self.config([
        "dtype": #""bfloat16""#, "rope_parameters": #"{"rope_type": "llama3", "rope_theta": 500000.0, \#(scaling)}"#,
      ]))
    #expect(old == new)
    #expect(new.ropeTheta == 500000)
    #expect(
      new.ropeScaling == .llama3(factor: 8, lowFrequencyFactor: 1, highFrequencyFactor: 4, originalContextLength: 64))
    #expect(new.declaredDType == "bfloat16")
  }

  @Test func absentFieldsTakeTransformersDefaults() throws {
    let c = try load(
      #"{"hidden_size": 64.0, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4, "vocab_size": 32, "rope_scaling": null}"#
    )
    #expect(c.kvHeadCount == 4 && c.headDim == 16)
    #expect(c.ropeTheta == 10000 && c.ropeScaling == .none && c.rmsNormEpsilon == 1e-6)
    #expect(c.maxPositionEmbeddings == 2048 && !c.tieWordEmbeddings && c.declaredDType == nil)
  }

  @Test(arguments: [
    (config(["intermediate_size": nil]), "intermediate_size", "missing"),
    (config(["hidden_size": "64.5"]), "hidden_size", "not an integer"),
    (config(["vocab_size": #""96""#]), "vocab_size", "not an integer"),
    (config(["rms_norm_eps": #""small""#]), "rms_norm_eps", "not a number"),
    (config(["num_key_value_heads": "3"]), "num_key_value_heads", "3 does not divide num_attention_heads 4"),
    (config(["head_dim": "15"]), "head_dim", "must be even for RoPE, got 15"),
    (config(["num_hidden_layers": "0"]), "num_hidden_layers", "must be > 0, got 0"),
    (config(["rope_parameters": #"{"rope_type": "linear"}"#]), "rope_parameters.factor", "missing"),
    (
      config(["rope_scaling": #"{"type": "dynamic", "factor": 2}"#]), "rope_scaling.rope_type",
      "unknown RoPE scaling type 'dynamic'"
    ),
    (config(["hidden_act": #""gelu""#]), "hidden_act", "'gelu' is not supported; Llama uses 'silu'"),
    (config(["model_type": #""mistral""#]), "model_type", "'mistral' is not supported"),
    (config(["mlp_bias": "true"]), "mlp_bias", "biases in attention/MLP projections are not supported yet"),
    ("[1, 2]", "(root)", "not a JSON object"),
    ("{not json", "(root)", "not a JSON object"),
  ])
  func invalidConfigNamesField(json: String, field: String, detail: String) throws {
    let found = try #require(problem(json), "\(json) loaded")
    #expect(found.field == field)
    #expect(found.detail.hasPrefix(detail), "\(found.detail)")
  }

  @Test(arguments: [
    RoPEScaling.none, .linear(factor: 2),
    .llama3(factor: 8, lowFrequencyFactor: 1, highFrequencyFactor: 4, originalContextLength: 8192),
  ])
  func encodingRoundTrips(scaling: RoPEScaling) throws {
    let c = LlamaConfiguration(
      hiddenSize: 64, intermediateSize: 128, layerCount: 2, headCount: 4, kvHeadCount: 1, vocabularySize: 96,
      rmsNormEpsilon: 1e-5, ropeTheta: 500000, ropeScaling: scaling, tieWordEmbeddings: true, declaredDType: "float32")
    let data = try JSONEncoder().encode(c)
    #expect(try JSONDecoder().decode(LlamaConfiguration.self, from: data) == c)
    let text = String(decoding: data, as: UTF8.self)
    #expect(
      text.contains(#""rope_theta":500000"#) && text.contains(#""torch_dtype":"float32""#)
        && text.contains(#""dtype":"float32""#))
  }

  @Test func perFrequencyFactorsCannotBeEncoded() {
    let c = LlamaConfiguration(
      hiddenSize: 64, intermediateSize: 128, layerCount: 2, headCount: 4, kvHeadCount: 1, vocabularySize: 96,
      rmsNormEpsilon: 1e-5, ropeTheta: 500000, ropeScaling: .frequencyFactors([1, 2]), tieWordEmbeddings: true)
    #expect(throws: EncodingError.self) { try JSONEncoder().encode(c) }
    #expect(throws: CheckpointError.self) {
      try c.huggingFaceJSON(dtype: "float32", source: URL(fileURLWithPath: "m.gguf"))
    }
  }

  @Test(arguments: ["tiny-llama3-gqa", "tiny-tied-mqa", "tiny-linear-sharded", "tiny-extract"])
  func fixtureConfigsDecode(name: String) throws {
    let c = try LlamaConfiguration.load(from: Fixtures.model(name).appendingPathComponent("config.json"))
    #expect(c.layerCount > 0)
  }
}
