import FeatureSets
import Foundation
import HookPoints
import TensorCore
import Testing

/// Every way a set can be wrong raises its typed error, naming the directory or file.
@Suite struct OpenErrorTests {
  /// Writes a synthetic set into a fresh directory, runs `body` on it, removes it.
  func withSet(_ synthetic: SyntheticFeatureSet = SyntheticFeatureSet(), _ body: (URL) throws -> Void) throws {
    let directory = scratchDirectory("errors")
    defer { try? FileManager.default.removeItem(at: directory) }
    try synthetic.write(to: directory)
    try body(directory)
  }

  /// Reads every row of every hook (so every shard file gets opened).
  func readAll(_ set: FeatureSet) throws {
    var batches = try set.batches(of: set.hooks.map(\.point), batchSize: 8, order: .sequential)
    while try batches.next() != nil {}
  }

  /// Changes the bytes of `file` at `offset` in place (same size).
  func patch(_ file: URL, at offset: Int, with bytes: [UInt8]) throws {
    var data = try Data(contentsOf: file)
    data.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
    try data.write(to: file)
  }

  @Test func missingHook() throws {
    try withSet { directory in
      let set = try FeatureSet(directory: directory)
      let names = SyntheticFeatureSet.defaultHooks.map(\.name)
      #expect(
        throws: FeatureSetError.missingHook(name: "blocks.9.hook_resid_post", directory: directory, available: names)
      ) {
        try set.record(for: .residualPost(layer: 9))
      }
      #expect(
        throws: FeatureSetError.missingHook(name: "blocks.9.hook_resid_post", directory: directory, available: names)
      ) {
        try set.rows(of: .residualPost(layer: 9))
      }
    }
  }

  @Test func widthMismatchBetweenDirectories() throws {
    try withSet { first in
      let second = scratchDirectory("errors-wide")
      defer { try? FileManager.default.removeItem(at: second) }
      try SyntheticFeatureSet(hooks: [HookRecord(point: .mlpInput(layer: 1), width: 6)], shardRows: [2]).write(
        to: second)
      #expect(
        throws: FeatureSetError.widthMismatch(
          hook: "blocks.1.ln2.hook_normalized", expected: 5, found: 6, directory: second)
      ) {
        try FeatureSet(directories: [first, second])
      }
    }
  }

  @Test func incompleteSetIsRefusedUnlessAllowed() throws {
    try withSet(SyntheticFeatureSet(complete: false)) { directory in
      #expect(throws: FeatureSetError.incomplete(directory: directory)) { try FeatureSet(directory: directory) }
      let set = try FeatureSet(directory: directory, options: .init(allowIncomplete: true))
      #expect(set.rowCount == 31)
      #expect(try set.rows(of: .mlpInput(layer: 1)).rows == 31)
    }
  }

  @Test func missingManifestAndDirectories() throws {
    let nowhere = scratchDirectory("errors-nowhere")
    #expect(throws: FeatureSetError.missingManifest(directory: nowhere)) { try FeatureSet(directory: nowhere) }
    #expect(throws: FeatureSetError.invalidRequest("no feature-set directory given")) {
      try FeatureSet(directories: [])
    }
  }

  /// A flipped byte keeps the size: only the checksum sees it, and only when asked to.
  @Test(arguments: [FeatureFileFormat.safetensors, .npy])
  func checksumMismatch(format: FeatureFileFormat) throws {
    try withSet(SyntheticFeatureSet(format: format)) { directory in
      let manifest = try FeatureManifest.load(from: directory)
      let record = manifest.shards[1].files[0]
      let file = directory.appendingPathComponent(record.path)
      var data = try Data(contentsOf: file)
      data[data.count - 3] ^= 0x40
      try data.write(to: file)

      let unchecked = try FeatureSet(directory: directory)
      try readAll(unchecked)
      let error = featureSetError { _ = try unchecked.verify() }
      guard case .damagedShard(let damaged, let reason)? = error else {
        Issue.record("expected damagedShard, got \(String(describing: error))")
        return
      }
      #expect(damaged == file && reason.contains("SHA-256") && reason.contains(record.sha256), "\(reason)")
      #expect(throws: error!) { try FeatureSet(directory: directory, options: .init(verifyChecksums: true)) }
    }
  }

  @Test func intactSetVerifies() throws {
    try withSet(SyntheticFeatureSet(format: .npy)) { directory in
      let set = try FeatureSet(directory: directory, options: .init(verifyChecksums: true))
      let summary = try set.verify()
      #expect(summary.shardCount == 4 && summary.rowCount == 31 && summary.fileCount == 4 * 6)
      #expect(summary.byteCount == set.manifests[0].shards.flatMap(\.files).map(\.bytes).reduce(0, +))
    }
  }

  /// A file cut short is caught by the size check on every open, without checksums.
  @Test(arguments: [FeatureFileFormat.safetensors, .npy])
  func truncatedFile(format: FeatureFileFormat) throws {
    try withSet(SyntheticFeatureSet(format: format)) { directory in
      let record = try FeatureManifest.load(from: directory).shards[2].files.last!
      let file = directory.appendingPathComponent(record.path)
      let data = try Data(contentsOf: file)
      try data.prefix(data.count - 1).write(to: file)
      #expect(
        throws: FeatureSetError.damagedShard(
          file: file, reason: "\(record.bytes - 1) bytes on disk; the manifest records \(record.bytes)")
      ) { try FeatureSet(directory: directory) }
    }
  }

  @Test(arguments: [FeatureFileFormat.safetensors, .npy])
  func missingShardFile(format: FeatureFileFormat) throws {
    try withSet(SyntheticFeatureSet(format: format)) { directory in
      let record = try FeatureManifest.load(from: directory).shards[3].files[0]
      let file = directory.appendingPathComponent(record.path)
      try FileManager.default.removeItem(at: file)
      let error = featureSetError { _ = try FeatureSet(directory: directory) }
      guard case .damagedShard(let damaged, let reason)? = error else {
        Issue.record("expected damagedShard, got \(String(describing: error))")
        return
      }
      #expect(damaged == file && reason.contains("missing"), "\(reason)")
    }
  }

  /// `.npy` headers edited in place (same length, so the size check passes): the reader
  /// checks the magic, dtype, order and shape before reading a row.
  @Test(arguments: [
    ("'descr': '<f4'", "'descr': '>f4'", "dtype '>f4'"),
    ("'fortran_order': False", "'fortran_order': True ", "column-major"),
    ("'shape': (13, 5)", "'shape': (13, 6)", "shape [13, 6]"),
    ("'shape': (13, 5)", "'shape': (13,,5)", "expected a non-negative integer"),
    ("\u{93}NUMPY", "\u{93}NUMPX", "no .npy magic"),
  ])
  func badNPYHeader(original: String, replacement: String, reason: String) throws {
    try withSet(SyntheticFeatureSet(format: .npy)) { directory in
      let file = directory.appendingPathComponent("shard-00001/blocks.1.ln2.hook_normalized.npy")
      var data = try Data(contentsOf: file)
      let header = data.prefix(128)
      let needle = original.unicodeScalars.map { UInt8($0.value) }
      let range = try #require(header.firstRange(of: needle), "\(original) not in the header")
      data.replaceSubrange(range, with: replacement.unicodeScalars.map { UInt8($0.value) })
      try data.write(to: file)

      let set = try FeatureSet(directory: directory)
      var batches = try set.batches(of: [.mlpInput(layer: 1)], batchSize: 5, order: .sequential)
      _ = try batches.next()  // rows 0..<5, all in shard 0
      let error = featureSetError { _ = try batches.next() }
      guard case .unreadableShard(let unreadable, let message)? = error else {
        Issue.record("expected unreadableShard, got \(String(describing: error))")
        return
      }
      #expect(unreadable == file && message.contains(reason), "\(message)")
      // Another hook of the same shard is untouched.
      #expect(try set.rows(of: .mlpOutput(layer: 1)).rows == 31)
    }
  }

  /// Safetensors headers that lie: a huge header length, tensors that disagree with the
  /// manifest's row count or dtype. No trap, a typed error naming the file.
  @Test func badSafetensorsHeader() throws {
    try withSet { directory in
      let file = directory.appendingPathComponent("shard-00000.safetensors")
      try patch(file, at: 0, with: [UInt8](repeating: 0xFF, count: 8))
      let error = featureSetError { _ = try FeatureSet(directory: directory).rows(of: .mlpInput(layer: 1)) }
      guard case .unreadableShard(let unreadable, let reason)? = error else {
        Issue.record("expected unreadableShard, got \(String(describing: error))")
        return
      }
      #expect(unreadable == file && reason.contains("header length 18446744073709551615"), "\(reason)")
    }
    for (edit, reason) in [
      ({ (m: inout FeatureManifest) in m.shards[0].tokens += 1 }, "has shape [7, 5]; the manifest says [8, 5]"),
      ({ (m: inout FeatureManifest) in m.options.dtype = .float16 }, "is F32; the manifest says F16"),
    ] {
      try withSet { directory in
        var manifest = try FeatureManifest.load(from: directory)
        edit(&manifest)
        manifest.totalTokens = manifest.shards.map(\.tokens).reduce(0, +)
        try manifest.write(to: directory)
        let error = featureSetError { _ = try FeatureSet(directory: directory).rows(of: .mlpInput(layer: 1)) }
        guard case .unreadableShard(let unreadable, let message)? = error else {
          Issue.record("expected unreadableShard, got \(String(describing: error))")
          return
        }
        #expect(unreadable.lastPathComponent == "shard-00000.safetensors" && message.contains(reason), "\(message)")
      }
    }
  }

  @Test func inconsistentManifest() throws {
    try withSet { directory in
      var manifest = try FeatureManifest.load(from: directory)
      manifest.totalTokens = 30
      try manifest.write(to: directory)
      #expect(
        throws: FeatureSetError.badManifest(
          file: FeatureManifest.url(in: directory), reason: "totalTokens is 30 but the shards hold 31 rows")
      ) { try FeatureSet(directory: directory) }
    }
  }
}
