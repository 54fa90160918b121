import Checkpoints
import Foundation

extension LlamaModel {
  /// Loads a GGUF checkpoint (llama architecture). Filled in by the GGUF loader.
  static func loadGGUF(_ file: URL) throws(CheckpointError) -> LlamaModel {
    throw .notAModel(path: file, detail: "GGUF loading is not available yet")
  }
}

extension ModelInspection {
  static func inspectGGUF(_ file: URL) throws(CheckpointError) -> (
    store: any TensorStore, configuration: LlamaConfiguration, format: String, notes: [(String, String)]
  ) {
    throw .notAModel(path: file, detail: "GGUF loading is not available yet")
  }
}
