import Corpora
import FeatureSets
import Foundation
import HookPoints
import TensorCore

/// Writes small feature sets whose every value is known: row `r` (counted over the whole set,
/// starting at `firstRow`) of hook `h` holds ``value(row:column:hook:)`` at column `c`, and its
/// index entries are `token_ids = r`, `doc_index = r / 7`, `position = r % 7`.
struct SyntheticFeatureSet {
  /// The hooks every synthetic set records: two of one layer (a transcoder pair) and a third.
  static let defaultHooks = [
    HookRecord(point: .mlpInput(layer: 1), width: 5),
    HookRecord(point: .mlpOutput(layer: 1), width: 5),
    HookRecord(point: .residualPost(layer: 2), width: 3),
  ]

  var hooks = defaultHooks
  /// Rows per shard, in order (uneven on purpose).
  var shardRows = [7, 13, 1, 10]
  var dtype = DType.float32
  var format = FeatureFileFormat.safetensors
  /// Global index of the set's first row (so two sets can hold different rows).
  var firstRow = 0
  var complete = true

  /// Rows in the set.
  var rowCount: Int { shardRows.reduce(0, +) }

  /// The value written at (`row`, `column`) of hook number `hook`, before rounding to the
  /// stored dtype; distinct for every triple within a small set, and rounded by F16 and BF16.
  static func value(row: Int, column: Int, hook: Int) -> Float {
    Float(row) * 0.37 + Float(column) * 0.011 - Float(hook) * 3 + 0.05
  }

  /// ``value(row:column:hook:)`` as it reads back from a set stored in `dtype`.
  static func stored(row: Int, column: Int, hook: Int, dtype: DType) -> Float {
    let v = value(row: row, column: column, hook: hook)
    switch dtype {
    case .float16: return floatFromHalfBits(halfBitsFromFloat(v))
    case .bfloat16: return floatFromBFloat16Bits(bfloat16BitsFromFloat(v))
    default: return v
    }
  }

  /// Row `row` of hook number `hook` as it reads back.
  func expectedRow(_ row: Int, hook: Int) -> [Float] {
    (0..<hooks[hook].width).map { Self.stored(row: row, column: $0, hook: hook, dtype: dtype) }
  }

  /// Writes the set into `directory` (created if needed) and returns its manifest.
  @discardableResult
  func write(to directory: URL) throws -> FeatureManifest {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let writer = ShardWriter(directory: directory, hooks: hooks, dtype: dtype, format: format, metadata: [:])
    var manifest = Self.manifest(hooks: hooks, dtype: dtype, format: format)
    var row = firstRow
    for (index, rows) in shardRows.enumerated() {
      var buffer = ShardBuffer(hookCount: hooks.count)
      for r in row..<(row + rows) {
        for (h, hook) in hooks.enumerated() {
          buffer.hookValues[h] += (0..<hook.width).map { Self.value(row: r, column: $0, hook: h) }
        }
        buffer.tokenIDs.append(Int32(r))
        buffer.documentIndex.append(Int64(r / 7))
        buffer.positions.append(Int32(r % 7))
      }
      manifest.shards.append(try writer.write(buffer, index: index))
      manifest.totalTokens += rows
      row += rows
    }
    manifest.complete = complete
    try manifest.write(to: directory)
    return manifest
  }

  /// An empty manifest for a synthetic set.
  static func manifest(hooks: [HookRecord], dtype: DType, format: FeatureFileFormat) -> FeatureManifest {
    FeatureManifest(
      model: .init(path: "synthetic", layerCount: 4, hiddenSize: 5, vocabularySize: 32), hooks: hooks,
      options: ExtractionOptions(hooks: hooks.map(\.point), shardTokens: 16, dtype: dtype, fileFormat: format),
      corpus: .init(paths: [], files: [], options: CorpusOptions()), compute: .serial)
  }
}

/// A fresh directory under the system's temporary directory; remove it with
/// `try? FileManager.default.removeItem(at:)`.
func scratchDirectory(_ label: String) -> URL {
  FileManager.default.temporaryDirectory.appendingPathComponent("bae-features-\(label)-\(UUID().uuidString)")
}

/// The ``FeatureSetError`` that `body` throws, or `nil` if it throws nothing or another error
/// (tests then record an issue naming what they got).
func featureSetError(_ body: () throws -> Void) -> FeatureSetError? {
  do {
    try body()
    return nil
  } catch let error as FeatureSetError {
    return error
  } catch {
    return nil
  }
}
