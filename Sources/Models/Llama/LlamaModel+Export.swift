import Checkpoints
import Foundation
import TensorCore

extension LlamaConfiguration {
  /// The configuration as a Hugging Face `config.json` for `LlamaForCausalLM` (pretty-printed,
  /// sorted keys; see ``encode(to:)``), declaring `dtype` as the stored precision.
  ///
  /// - Throws: ``CheckpointError/invalidConfig(file:field:detail:)`` for per-frequency RoPE
  ///   factors (GGUF `rope_freqs.weight` of `source`), which `config.json` cannot express.
  public func huggingFaceJSON(dtype: String, source: URL) throws(CheckpointError) -> Data {
    if case .frequencyFactors = ropeScaling {
      throw .invalidConfig(
        file: source, field: LlamaWeightNames.ggufRoPEFrequencies,
        detail:
          "per-frequency RoPE factors cannot be written to config.json; convert from the original Hugging Face checkpoint instead"
      )
    }
    var declared = self
    declared.declaredDType = dtype
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    do {
      return try encoder.encode(declared)
    } catch {
      throw .invalidConfig(file: source, field: "(root)", detail: String(describing: error))
    }
  }
}

extension LlamaModel {
  /// Writes the model as a Hugging Face directory: `config.json` and `model.safetensors`
  /// (tensor names of ``LlamaWeightNames/huggingFace(_:layer:)``), loadable by transformers
  /// and by ``load(from:)``. Files are written atomically (``AtomicFile``).
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
    let config = try c.huggingFaceJSON(dtype: dtypeName, source: source)
    let configURL = directory.appendingPathComponent("config.json")
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      try AtomicFile.write(config, to: configURL)
    } catch {
      throw .writeFailed(file: configURL, reason: (error as? AtomicFileError)?.reason ?? error.localizedDescription)
    }
    var writer = SafetensorsWriter(metadata: ["format": "pt", "converted_from": source.lastPathComponent])
    typealias T = LlamaWeightNames.Tensor
    func add(_ tensor: T, _ values: [Float], layer: Int = 0) {
      writer.add(
        LlamaWeightNames.huggingFace(tensor, layer: layer), floats: values, shape: LlamaWeightNames.shape(tensor, c),
        as: dtype)
    }
    add(.tokenEmbedding, weights.tokenEmbedding.floats)
    for (l, w) in weights.layers.enumerated() {
      add(.attentionNorm, w.attentionNorm, layer: l)
      add(.query, w.query.floats, layer: l)
      add(.key, w.key.floats, layer: l)
      add(.value, w.value.floats, layer: l)
      add(.attentionOutput, w.attentionOutput.floats, layer: l)
      add(.mlpNorm, w.mlpNorm, layer: l)
      add(.gate, w.gate.floats, layer: l)
      add(.up, w.up.floats, layer: l)
      add(.down, w.down.floats, layer: l)
    }
    add(.finalNorm, weights.finalNorm)
    if let head = weights.lmHead { add(.lmHead, head.floats) }
    try writer.write(to: directory.appendingPathComponent("model.safetensors"))
  }
}
