import Checkpoints
import Foundation
import TensorCore

extension LlamaModel {
  /// Loads the model at `location`: a Hugging Face directory (`config.json` with
  /// `model.safetensors` or a sharded `model.safetensors.index.json`) or a GGUF file.
  ///
  /// - Parameter precision: how to store the weight matrices (`bf16`: rounded once, at load).
  /// - Throws: ``CheckpointError`` naming the file and tensor or field at fault.
  public static func load(
    from location: ModelLocation, precision: Precision = .float32
  ) throws(CheckpointError) -> LlamaModel {
    switch location.kind {
    case .huggingFaceDirectory:
      let directory = location.url
      let configuration = try LlamaConfiguration.load(from: directory.appendingPathComponent("config.json"))
      let (store, origin) = try huggingFaceStore(in: directory)
      let weights = try LlamaWeights.load(
        from: store, configuration: configuration, naming: .huggingFace, origin: origin, precision: precision)
      return LlamaModel(configuration: configuration, weights: weights, source: directory)
    case .ggufFile:
      return try loadGGUF(location.url, precision: precision)
    }
  }

  /// Loads the model at `path` (see ``ModelLocation/init(classifying:)`` for what a path may name).
  ///
  /// - Throws: ``CheckpointError``.
  public static func load(from path: URL, precision: Precision = .float32) throws(CheckpointError) -> LlamaModel {
    try load(from: ModelLocation(classifying: path), precision: precision)
  }

  /// The tensors of a Hugging Face directory (sharded when it has an index), and the file
  /// errors should name.
  static func huggingFaceStore(in directory: URL) throws(CheckpointError) -> (store: any TensorStore, origin: URL) {
    let index = directory.appendingPathComponent("model.safetensors.index.json")
    if FileManager.default.fileExists(atPath: index.path) {
      return (try ShardedSafetensors(index: index), index)
    }
    let single = directory.appendingPathComponent("model.safetensors")
    return (try SafetensorsFile(single), single)
  }
}
