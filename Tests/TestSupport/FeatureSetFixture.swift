import Corpora
import FeatureSets
import Foundation
import HookPoints
import TensorCore

/// Small feature sets with given rows, for tests of the readers of feature sets (autoencoder
/// encoding, compression, the CLI).
public enum FeatureSetFixture {
  /// Writes a complete safetensors feature set into `directory` (created if needed).
  ///
  /// Row `r` holds row `r` of every matrix in `hooks` (all must have the same row count), with
  /// `token_ids = r`, `doc_index = r / 7` and `position = r % 7`.
  ///
  /// - Parameters:
  ///   - hooks: the hooks and their `[n, width]` values (F32).
  ///   - shardRows: rows per shard (the last shard may be shorter).
  /// - Returns: the manifest written.
  @discardableResult
  public static func write(_ hooks: [(HookPoint, Matrix)], to directory: URL, shardRows: Int = 16) throws
    -> FeatureManifest
  {
    precondition(!hooks.isEmpty && shardRows > 0)
    let rowCount = hooks[0].1.rows
    precondition(hooks.allSatisfy { $0.1.rows == rowCount }, "every hook needs the same rows")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let records = hooks.map { HookRecord(point: $0.0, width: $0.1.columns) }
    let writer = ShardWriter(directory: directory, hooks: records, dtype: .float32, format: .safetensors, metadata: [:])
    var manifest = FeatureManifest(
      model: .init(path: "fixture", layerCount: 4, hiddenSize: records[0].width, vocabularySize: 32), hooks: records,
      options: ExtractionOptions(hooks: records.map(\.point), shardTokens: shardRows),
      corpus: .init(paths: [], files: [], options: CorpusOptions()),
      compute: .serial)
    var start = 0
    var index = 0
    while start < rowCount {
      let end = min(start + shardRows, rowCount)
      var buffer = ShardBuffer(hookCount: records.count)
      for (h, hook) in hooks.enumerated() { buffer.hookValues[h] = Array(hook.1.rows(start..<end).values) }
      for r in start..<end {
        buffer.tokenIDs.append(Int32(r))
        buffer.documentIndex.append(Int64(r / 7))
        buffer.positions.append(Int32(r % 7))
      }
      manifest.shards.append(try writer.write(buffer, index: index))
      manifest.totalTokens += end - start
      start = end
      index += 1
    }
    manifest.complete = true
    try manifest.write(to: directory)
    return manifest
  }
}
