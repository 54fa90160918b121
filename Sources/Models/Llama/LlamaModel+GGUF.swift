import Checkpoints
import Foundation
import TensorCore

extension LlamaConfiguration {
  /// Reads the architecture from GGUF metadata (`llama.*` keys, as llama.cpp's converter writes
  /// them), with the tensor table supplying what metadata may omit (vocabulary size).
  ///
  /// - Throws: ``CheckpointError/invalidConfig(file:field:detail:)`` naming the metadata key,
  ///   including for an architecture other than `llama`.
  public static func load(gguf: GGUFFile) throws(CheckpointError) -> LlamaConfiguration {
    let architecture = gguf.architecture ?? "(missing)"
    guard architecture == "llama" else {
      throw .invalidConfig(
        file: gguf.url, field: "general.architecture",
        detail: "'\(architecture)' is not supported; bae runs the 'llama' architecture")
    }
    let p = "llama."
    let hidden = try gguf.requiredInt(p + "embedding_length")
    let heads = try gguf.requiredInt(p + "attention.head_count")
    var headDim = try gguf.optionalInt(p + "attention.key_length")
    if headDim == nil { headDim = try gguf.optionalInt(p + "rope.dimension_count") }
    var vocabulary = try gguf.optionalInt(p + "vocab_size")
    let embedding = LlamaWeightNames.gguf(.tokenEmbedding)
    if vocabulary == nil { vocabulary = gguf.info(for: embedding)?.shape.first }
    if vocabulary == nil { vocabulary = gguf.metadata["tokenizer.ggml.tokens"]?.arrayValue?.count }
    guard let vocabulary else {
      throw .invalidConfig(
        file: gguf.url, field: p + "vocab_size", detail: "missing, and no \(embedding) to infer it from")
    }

    var scaling = RoPEScaling.none
    switch try gguf.optionalString(p + "rope.scaling.type") ?? "none" {
    case "none":
      break
    case "linear":
      scaling = .linear(factor: try gguf.requiredFloat(p + "rope.scaling.factor"))
    case let other:
      throw .invalidConfig(
        file: gguf.url, field: p + "rope.scaling.type",
        detail:
          "unknown RoPE scaling type '\(other)'; supported: none, linear, and llama3 (\(LlamaWeightNames.ggufRoPEFrequencies))"
      )
    }
    if gguf.info(for: LlamaWeightNames.ggufRoPEFrequencies) != nil {
      // llama.cpp stores Llama 3.1 scaling as one divisor per frequency.
      scaling = .frequencyFactors(try gguf.floats(LlamaWeightNames.ggufRoPEFrequencies))
    }
    let config = LlamaConfiguration(
      hiddenSize: hidden,
      intermediateSize: try gguf.requiredInt(p + "feed_forward_length"),
      layerCount: try gguf.requiredInt(p + "block_count"),
      headCount: heads,
      kvHeadCount: try gguf.optionalInt(p + "attention.head_count_kv") ?? heads,
      headDim: headDim,
      vocabularySize: vocabulary,
      rmsNormEpsilon: try gguf.optionalFloat(p + "attention.layer_norm_rms_epsilon") ?? 1e-5,
      ropeTheta: try gguf.optionalFloat(p + "rope.freq_base") ?? 10000,
      ropeScaling: scaling,
      tieWordEmbeddings: gguf.info(for: LlamaWeightNames.gguf(.lmHead)) == nil,
      maxPositionEmbeddings: try gguf.optionalInt(p + "context_length") ?? 2048,
      declaredDType: nil)
    if let problem = config.validationProblem() {
      throw .invalidConfig(
        file: gguf.url, field: ggufKeys[problem.field] ?? problem.field, detail: problem.detail)
    }
    if case .frequencyFactors(let factors) = scaling, factors.count != config.headDim / 2 {
      throw .shapeMismatch(
        name: LlamaWeightNames.ggufRoPEFrequencies, file: gguf.url, expected: [config.headDim / 2],
        found: [factors.count])
    }
    return config
  }
}

/// The GGUF metadata key of each `config.json` field a validation problem may name.
private let ggufKeys: [String: String] = [
  "hidden_size": "llama.embedding_length", "intermediate_size": "llama.feed_forward_length",
  "num_hidden_layers": "llama.block_count", "num_attention_heads": "llama.attention.head_count",
  "num_key_value_heads": "llama.attention.head_count_kv", "head_dim": "llama.attention.key_length",
  "vocab_size": "llama.vocab_size", "max_position_embeddings": "llama.context_length",
  "rms_norm_eps": "llama.attention.layer_norm_rms_epsilon", "rope_theta": "llama.rope.freq_base",
  "rope_scaling.factor": "llama.rope.scaling.factor", "rope_freqs": LlamaWeightNames.ggufRoPEFrequencies,
]

extension LlamaModel {
  /// Loads a GGUF checkpoint of the `llama` architecture, dequantizing every tensor to `Float`
  /// and undoing llama.cpp's row permutation of `attn_q`/`attn_k`.
  static func loadGGUF(_ file: URL, precision: Precision = .float32) throws(CheckpointError) -> LlamaModel {
    let gguf = try GGUFFile(url: file)
    let configuration = try LlamaConfiguration.load(gguf: gguf)
    let weights = try LlamaWeights.load(from: gguf, configuration: configuration, naming: .gguf, origin: file, precision: precision)
    return LlamaModel(configuration: configuration, weights: weights, source: file)
  }
}

extension ModelInspection {
  static func inspectGGUF(_ file: URL) throws(CheckpointError) -> (
    store: any TensorStore, configuration: LlamaConfiguration, format: String, notes: [(String, String)]
  ) {
    let gguf = try GGUFFile(url: file)
    let configuration = try LlamaConfiguration.load(gguf: gguf)
    var notes: [(String, String)] = []
    if let name = gguf.metadata["general.name"]?.stringValue { notes.append(("name:", name)) }
    if let model = gguf.metadata["tokenizer.ggml.model"]?.stringValue {
      let pre = gguf.metadata["tokenizer.ggml.pre"]?.stringValue.map { ", pre-tokenizer \($0)" } ?? ""
      let count = gguf.metadata["tokenizer.ggml.tokens"]?.arrayValue?.count ?? 0
      notes.append(("tokenizer:", "\(model)\(pre), \(count) tokens"))
    }
    notes.append(
      ("template:", gguf.metadata["tokenizer.chat_template"] == nil ? "no chat template" : "chat template present"))
    let unreadable = gguf.tensors.filter { !$0.type.canDequantize }.map(\.name)
    if !unreadable.isEmpty {
      notes.append(
        ("unsupported:", "\(unreadable.count) tensors of types bae cannot dequantize (e.g. \(unreadable[0]))"))
    }
    return (gguf, configuration, "GGUF v\(gguf.version)", notes)
  }
}
