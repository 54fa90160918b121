import Foundation
import JSONSupport

/// A checkpoint split over several `.safetensors` files, described by
/// `model.safetensors.index.json` (`{"weight_map": {tensor: file}}`), as `save_pretrained`
/// writes it.
public final class ShardedSafetensors: TensorStore {
  /// The index file.
  public let indexURL: URL
  private let shards: [String: SafetensorsFile]
  private let owner: [String: String]

  /// Opens the index and every shard it names.
  ///
  /// - Throws: ``CheckpointError`` if the index is malformed, a shard is missing, or a tensor the
  ///   index names is not in its shard.
  public init(index indexURL: URL) throws(CheckpointError) {
    self.indexURL = indexURL
    let data: Data
    do { data = try Data(contentsOf: indexURL) } catch {
      throw .unreadable(file: indexURL, reason: error.localizedDescription)
    }
    let map = (try? JSONValue.parse(data))?["weight_map"]?.objectValue
    let weightMap = map?.compactMapValues(\.stringValue) ?? [:]
    guard let map, weightMap.count == map.count else {
      throw .malformedHeader(file: indexURL, detail: "expected a JSON object with a 'weight_map' of tensor → file")
    }
    let directory = indexURL.deletingLastPathComponent()
    var shards: [String: SafetensorsFile] = [:]
    for file in Set(weightMap.values).sorted() {
      let url = directory.appendingPathComponent(file)
      guard FileManager.default.fileExists(atPath: url.path) else {
        throw .unreadable(file: url, reason: "shard named in \(indexURL.lastPathComponent) does not exist")
      }
      shards[file] = try SafetensorsFile(url)
    }
    for (tensor, file) in weightMap where shards[file]?.info(for: tensor) == nil {
      throw .missingTensor(name: tensor, file: directory.appendingPathComponent(file))
    }
    self.shards = shards
    self.owner = weightMap
  }

  public var tensorNames: [String] {
    // Tensors present in shards but absent from the index are reported too, so a loader can
    // flag them as unexpected.
    Set(shards.values.flatMap(\.tensorNames)).sorted()
  }

  public func info(for name: String) -> TensorInfo? {
    if let file = owner[name] { return shards[file]?.info(for: name) }
    return shards.values.lazy.compactMap { $0.info(for: name) }.first
  }

  public func floats(_ name: String) throws(CheckpointError) -> [Float] {
    if let file = owner[name], let shard = shards[file] { return try shard.floats(name) }
    for shard in shards.values where shard.info(for: name) != nil { return try shard.floats(name) }
    throw .missingTensor(name: name, file: indexURL)
  }

  /// Reads one tensor as bfloat16 bit patterns from the shard that holds it (see
  /// ``SafetensorsFile/bfloat16(_:)``).
  ///
  /// - Throws: ``CheckpointError``.
  public func bfloat16(_ name: String) throws(CheckpointError) -> [UInt16] {
    if let file = owner[name], let shard = shards[file] { return try shard.bfloat16(name) }
    for shard in shards.values where shard.info(for: name) != nil { return try shard.bfloat16(name) }
    throw .missingTensor(name: name, file: indexURL)
  }
}
