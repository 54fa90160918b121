import Checkpoints
import Foundation

/// What `bae inspect` reports about a checkpoint, gathered without reading any weights.
public struct ModelInspection: Sendable {
  /// The path inspected.
  public var path: URL
  /// `safetensors`, `safetensors (sharded, N files)` or `GGUF vN`.
  public var format: String
  /// The architecture.
  public var configuration: LlamaConfiguration
  /// Parameters implied by the configuration.
  public var parameterCount: Int
  /// Every tensor, sorted by name.
  public var tensors: [TensorInfo]
  /// How many tensors of each stored type (`F32`, `BF16`, `Q4_1`, …).
  public var storedTypeCounts: [String: Int]
  /// Format-specific facts (GGUF metadata such as tokenizer model, chat template), in order.
  public var notes: [(String, String)]

  /// Reads the headers at `path`.
  ///
  /// - Throws: ``CheckpointError``.
  public init(path: URL) throws(CheckpointError) {
    self.path = path
    let location = try ModelLocation(resolving: path)
    let store: any TensorStore
    notes = []
    switch location {
    case .huggingFace(let directory):
      configuration = try LlamaConfiguration.load(from: directory.appendingPathComponent("config.json"))
      let index = directory.appendingPathComponent("model.safetensors.index.json")
      if FileManager.default.fileExists(atPath: index.path) {
        let sharded = try ShardedSafetensors(index: index)
        store = sharded
        format = "safetensors (sharded, \(Set(sharded.tensorNames.compactMap { sharded.info(for: $0)?.file }).count) files)"
      } else {
        store = try SafetensorsFile(directory.appendingPathComponent("model.safetensors"))
        format = "safetensors"
      }
      if let dtype = configuration.declaredDType { notes.append(("dtype:", dtype)) }
    case .gguf(let file):
      let inspected = try Self.inspectGGUF(file)
      store = inspected.store
      configuration = inspected.configuration
      format = inspected.format
      notes = inspected.notes
    }
    tensors = store.tensorNames.compactMap { store.info(for: $0) }
    storedTypeCounts = tensors.reduce(into: [:]) { $0[$1.storedType, default: 0] += 1 }
    let hasHead = tensors.contains { $0.name == "lm_head.weight" || $0.name == "output.weight" }
    parameterCount = configuration.parameterCount(separateHead: hasHead && !configuration.tieWordEmbeddings)
  }
}
