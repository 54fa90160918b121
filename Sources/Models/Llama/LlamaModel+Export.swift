import Checkpoints
import Foundation
import TensorCore

extension LlamaConfiguration {
  /// The configuration as a Hugging Face `config.json` object for `LlamaForCausalLM`.
  ///
  /// Writes both spellings transformers reads (`rope_theta`/`rope_scaling`/`torch_dtype` and
  /// `dtype`), so older and newer versions load it.
  ///
  /// - Throws: ``CheckpointError/invalidConfig(file:field:detail:)`` for per-frequency RoPE
  ///   factors (GGUF `rope_freqs.weight`), which `config.json` cannot express.
  public func huggingFaceJSON(dtype: String, source: URL) throws(CheckpointError) -> [String: Any] {
    var json: [String: Any] = [
      "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_act": "silu",
      "hidden_size": hiddenSize, "intermediate_size": intermediateSize, "num_hidden_layers": layerCount,
      "num_attention_heads": headCount, "num_key_value_heads": kvHeadCount, "head_dim": headDim,
      "vocab_size": vocabularySize, "rms_norm_eps": Double(rmsNormEpsilon), "rope_theta": Double(ropeTheta),
      "tie_word_embeddings": tieWordEmbeddings, "max_position_embeddings": maxPositionEmbeddings,
      "attention_bias": false, "mlp_bias": false, "torch_dtype": dtype, "dtype": dtype,
    ]
    switch ropeScaling {
    case .none:
      json["rope_scaling"] = NSNull()
    case .linear(let factor):
      json["rope_scaling"] = ["rope_type": "linear", "factor": Double(factor)]
    case .llama3(let factor, let low, let high, let original):
      json["rope_scaling"] = [
        "rope_type": "llama3", "factor": Double(factor), "low_freq_factor": Double(low),
        "high_freq_factor": Double(high), "original_max_position_embeddings": original,
      ]
    case .frequencyFactors:
      throw .invalidConfig(
        file: source, field: "rope_freqs.weight",
        detail: "per-frequency RoPE factors cannot be written to config.json; convert from the original Hugging Face checkpoint instead")
    }
    return json
  }
}

extension LlamaModel {
  /// Writes the model as a Hugging Face directory: `config.json` and `model.safetensors`
  /// (tensor names of ``LlamaWeightNames/huggingFace(_:layer:)``), loadable by transformers
  /// and by ``load(from:)``. Files are written atomically.
  ///
  /// - Parameters:
  ///   - directory: created if needed.
  ///   - dtype: `.float32` or `.bfloat16` (or `.float16`).
  /// - Throws: ``CheckpointError``.
  public func exportHuggingFace(to directory: URL, dtype: DType = .float32) throws(CheckpointError) {
    let c = configuration
    let names: [DType: String] = [.float32: "float32", .bfloat16: "bfloat16", .float16: "float16"]
    guard let dtypeName = names[dtype] else {
      throw .unsupportedDType(file: directory, tensor: "(all)", dtype: dtype.rawValue)
    }
    let json = try c.huggingFaceJSON(dtype: dtypeName, source: source)
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      let data = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
      try data.write(to: directory.appendingPathComponent("config.json"), options: .atomic)
    } catch {
      throw .writeFailed(file: directory.appendingPathComponent("config.json"), reason: error.localizedDescription)
    }
    var writer = SafetensorsWriter(metadata: ["format": "pt", "converted_from": source.lastPathComponent])
    typealias T = LlamaWeightNames.Tensor
    func add(_ tensor: T, _ values: [Float], layer: Int = 0) {
      writer.add(LlamaWeightNames.huggingFace(tensor, layer: layer), floats: values, shape: LlamaWeightNames.shape(tensor, c), as: dtype)
    }
    add(.tokenEmbedding, weights.tokenEmbedding)
    for (l, w) in weights.layers.enumerated() {
      add(.attentionNorm, w.attentionNorm, layer: l)
      add(.query, w.query, layer: l)
      add(.key, w.key, layer: l)
      add(.value, w.value, layer: l)
      add(.attentionOutput, w.attentionOutput, layer: l)
      add(.mlpNorm, w.mlpNorm, layer: l)
      add(.gate, w.gate, layer: l)
      add(.up, w.up, layer: l)
      add(.down, w.down, layer: l)
    }
    add(.finalNorm, weights.finalNorm)
    if let head = weights.lmHead { add(.lmHead, head) }
    try writer.write(to: directory.appendingPathComponent("model.safetensors"))
  }
}
