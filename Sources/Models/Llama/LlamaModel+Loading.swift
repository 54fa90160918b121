import Checkpoints
import Foundation

extension LlamaModel {
  /// Loads a model from a path:
  /// - a Hugging Face directory with `config.json` and `model.safetensors` or a sharded
  ///   `model.safetensors.index.json`;
  /// - a `.gguf` file, or a directory holding exactly one.
  ///
  /// - Throws: ``CheckpointError`` naming the file and tensor or field at fault.
  public static func load(from path: URL) throws(CheckpointError) -> LlamaModel {
    let location = try ModelLocation(resolving: path)
    switch location {
    case .huggingFace(let directory):
      let configURL = directory.appendingPathComponent("config.json")
      let configuration = try LlamaConfiguration.load(from: configURL)
      let index = directory.appendingPathComponent("model.safetensors.index.json")
      let single = directory.appendingPathComponent("model.safetensors")
      let store: any TensorStore
      let origin: URL
      if FileManager.default.fileExists(atPath: index.path) {
        store = try ShardedSafetensors(index: index)
        origin = index
      } else {
        store = try SafetensorsFile(single)
        origin = single
      }
      let weights = try LlamaWeights.load(from: store, configuration: configuration, naming: .huggingFace, origin: origin)
      return LlamaModel(configuration: configuration, weights: weights, source: directory)
    case .gguf(let file):
      return try loadGGUF(file)
    }
  }
}

/// What kind of checkpoint a user-given path points at.
public enum ModelLocation: Sendable, Equatable {
  /// A Hugging Face model directory.
  case huggingFace(URL)
  /// A GGUF file.
  case gguf(URL)

  /// Classifies `path`: a `.gguf` file; a directory with `config.json`; a directory holding
  /// exactly one `.gguf` file.
  ///
  /// - Throws: ``CheckpointError/notAModel(path:detail:)`` saying what was expected.
  public init(resolving path: URL) throws(CheckpointError) {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path.path, isDirectory: &isDirectory) else {
      throw .notAModel(path: path, detail: "no such file or directory")
    }
    if !isDirectory.boolValue {
      guard path.pathExtension.lowercased() == "gguf" else {
        throw .notAModel(path: path, detail: "expected a .gguf file or a Hugging Face model directory")
      }
      self = .gguf(path)
      return
    }
    if FileManager.default.fileExists(atPath: path.appendingPathComponent("config.json").path) {
      self = .huggingFace(path)
      return
    }
    let ggufs = ((try? FileManager.default.contentsOfDirectory(atPath: path.path)) ?? [])
      .filter { $0.lowercased().hasSuffix(".gguf") }.sorted()
    if ggufs.count == 1 {
      self = .gguf(path.appendingPathComponent(ggufs[0]))
      return
    }
    throw .notAModel(
      path: path,
      detail: ggufs.isEmpty
        ? "directory has neither config.json nor a .gguf file"
        : "directory holds several .gguf files (\(ggufs.joined(separator: ", "))); name one")
  }
}
