import Checkpoints
import Foundation

/// What `bae inspect` reports about a checkpoint, gathered without reading any weights.
public struct ModelInspection: Sendable {
  /// The path inspected, as named.
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

  /// Reads the headers of the model at `location`.
  ///
  /// - Throws: ``CheckpointError``.
  public init(location: ModelLocation) throws(CheckpointError) {
    path = location.requestedURL
    let store: any TensorStore
    notes = []
    switch location.kind {
    case .huggingFaceDirectory:
      let directory = location.url
      configuration = try LlamaConfiguration.load(from: directory.appendingPathComponent("config.json"))
      let (opened, _) = try LlamaModel.huggingFaceStore(in: directory)
      store = opened
      if let sharded = opened as? ShardedSafetensors {
        format =
          "safetensors (sharded, \(Set(sharded.tensorNames.compactMap { sharded.info(for: $0)?.file }).count) files)"
      } else {
        format = "safetensors"
      }
      if let dtype = configuration.declaredDType { notes.append(("dtype:", dtype)) }
    case .ggufFile:
      let inspected = try Self.inspectGGUF(location.url)
      store = inspected.store
      configuration = inspected.configuration
      format = inspected.format
      notes = inspected.notes
    }
    tensors = store.tensorNames.compactMap { store.info(for: $0) }
    storedTypeCounts = tensors.reduce(into: [:]) { $0[$1.storedType, default: 0] += 1 }
    let headNames: Set = [LlamaWeightNames.huggingFace(.lmHead), LlamaWeightNames.gguf(.lmHead)]
    let hasHead = tensors.contains { headNames.contains($0.name) }
    parameterCount = configuration.parameterCount(separateHead: hasHead && !configuration.tieWordEmbeddings)
  }

  /// Reads the headers at `path` (see ``ModelLocation/init(classifying:)``).
  ///
  /// - Throws: ``CheckpointError``.
  public init(path: URL) throws(CheckpointError) {
    try self.init(location: ModelLocation(classifying: path))
  }
}
