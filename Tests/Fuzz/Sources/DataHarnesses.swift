import Corpora
import Digests
import FeatureSets
import Foundation
import HookPoints

/// A corpus file of one format (by its extension), read to the end under the default
/// (`fail`) bad-input policy.
func fuzzCorpus(_ input: Data, fileName: String) {
  let url = scratchFile(fileName, input)
  do {
    let corpus = try Corpus(path: url.path)
    while try corpus.next() != nil {}
  } catch {
    MessageCheck.check(error)
  }
}

/// A feature-set `manifest.json`.
func fuzzManifest(_ input: Data) {
  let directory = scratchDirectory.appendingPathComponent("features")
  try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  _ = scratchFile("features/manifest.json", input)
  do {
    _ = try FeatureManifest.load(from: directory)
  } catch {
    MessageCheck.check(error)
  }
}

/// A feature-set shard (`shard-00000.safetensors`): the input is the shard file of a set whose
/// manifest promises 4 rows of one 8-wide F32 hook and records the input's true size and
/// SHA-256, so the reader gets past the manifest's checks to the shard's own header and tensors
/// (the path of `bae train` and `bae eval` over a damaged or forged set). Every row is read.
func fuzzShard(_ input: Data) {
  var manifest = ShardTemplate.manifest  // made first: it creates the directory
  let directory = ShardTemplate.directory
  _ = scratchFile("shard-set/shard-00000.safetensors", input)
  manifest.shards[0].files[0].bytes = input.count
  manifest.shards[0].files[0].sha256 = SHA256.hash(data: input).hex
  do {
    try manifest.write(to: directory)
    let set = try FeatureSet(directories: [directory])
    var batches = try set.batches(of: set.hooks.map(\.point), batchSize: 3, order: .sequential)
    while try batches.next() != nil {}
  } catch {
    MessageCheck.check(error)
  }
}

/// The manifest of the shard harness's set, made once by bae's own writer.
enum ShardTemplate {
  static let directory = scratchDirectory.appendingPathComponent("shard-set")

  static let manifest: FeatureManifest = {
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      let hook = HookRecord(point: .residualPost(layer: 0), width: 8)
      let writer = ShardWriter(directory: directory, hooks: [hook], dtype: .float32, format: .safetensors, metadata: [:])
      var buffer = ShardBuffer(hookCount: 1)
      buffer.hookValues[0] = (0..<32).map(Float.init)
      buffer.tokenIDs = [1, 2, 3, 4]
      buffer.documentIndex = [0, 0, 1, 1]
      buffer.positions = [0, 1, 0, 1]
      var manifest = FeatureManifest(
        model: .init(path: "fuzz", layerCount: 1, hiddenSize: 8, vocabularySize: 16), hooks: [hook],
        options: ExtractionOptions(hooks: [hook.point], shardTokens: 4),
        corpus: .init(paths: [], files: [], options: CorpusOptions()), compute: .serial)
      manifest.shards = [try writer.write(buffer, index: 0)]
      manifest.totalTokens = 4
      manifest.complete = true
      return manifest
    } catch {
      fatalError("bae-fuzz: cannot make the shard template: \(error)")
    }
  }()
}
