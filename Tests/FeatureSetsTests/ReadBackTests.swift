import FeatureSets
import Foundation
import HookPoints
import TensorCore
import Testing

/// Sets written by `ShardWriter` read back exactly, in every dtype and file format.
@Suite struct ReadBackTests {
  /// Every row of every hook, through `rows(of:)` and through sequential batches that cross
  /// the uneven shard boundaries (7 | 13 | 1 | 10 rows, batches of 6).
  @Test(arguments: [DType.float32, .float16, .bfloat16], [FeatureFileFormat.safetensors, .npy])
  func readsWhatWasWritten(dtype: DType, format: FeatureFileFormat) throws {
    let directory = scratchDirectory("readback")
    defer { try? FileManager.default.removeItem(at: directory) }
    let synthetic = SyntheticFeatureSet(dtype: dtype, format: format)
    try synthetic.write(to: directory)
    if format == .npy && dtype == .bfloat16 {
      // NumPy has no bfloat16, so no such set is valid (the writer refuses its options).
      let error = featureSetError { _ = try FeatureSet(directory: directory) }
      guard case .badManifest(_, let reason)? = error else {
        Issue.record("expected badManifest, got \(String(describing: error))")
        return
      }
      #expect(reason.contains("BF16"), "\(reason)")
      return
    }
    let set = try FeatureSet(directory: directory)
    #expect(set.rowCount == 31)
    #expect(set.shardCount == 4)
    #expect(set.hooks == SyntheticFeatureSet.defaultHooks)

    for (h, hook) in synthetic.hooks.enumerated() {
      let all = try set.rows(of: hook.point)
      #expect(all.shape == [31, hook.width])
      let expected = (0..<31).flatMap { synthetic.expectedRow($0, hook: h) }
      #expect(all.values == expected, "\(hook.name) \(dtype) \(format)")
    }
    if dtype != .float32 {
      // The rounding is real: the stored values differ from the written ones somewhere.
      let exact = (0..<31).flatMap { r in (0..<5).map { SyntheticFeatureSet.value(row: r, column: $0, hook: 0) } }
      #expect(try set.rows(of: .mlpInput(layer: 1)).values != exact)
    }

    var batches = try set.batches(of: [.residualPost(layer: 2)], batchSize: 6, order: .sequential)
    #expect(batches.rowCount == 31)
    var sizes: [Int] = []
    var start = 0
    while let batch = try batches.next() {
      sizes.append(batch.rows)
      let rows = Array(start..<(start + batch.rows))
      #expect(batch.tokenIDs == rows.map { Int32($0) })
      #expect(batch.documentIndex == rows.map { Int64($0 / 7) })
      #expect(batch.positions == rows.map { Int32($0 % 7) })
      #expect(batch.values.count == 1)
      #expect(batch.values[0].shape == [batch.rows, 3])
      #expect(batch.values[0].values == rows.flatMap { synthetic.expectedRow($0, hook: 2) })
      start += batch.rows
    }
    #expect(sizes == [6, 6, 6, 6, 6, 1])
    #expect(try batches.next() == nil)
  }

  @Test func dropLastLeavesOutTheShortBatch() throws {
    let directory = scratchDirectory("droplast")
    defer { try? FileManager.default.removeItem(at: directory) }
    try SyntheticFeatureSet().write(to: directory)
    let set = try FeatureSet(directory: directory)
    for (batchSize, dropLast, expected) in [
      (6, true, [6, 6, 6, 6, 6]), (31, true, [31]), (32, true, []), (40, false, [31]),
    ] {
      var batches = try set.batches(
        of: [.mlpInput(layer: 1)], batchSize: batchSize, order: .sequential, dropLast: dropLast)
      var sizes: [Int] = []
      while let batch = try batches.next() { sizes.append(batch.rows) }
      #expect(sizes == expected, "batch size \(batchSize), dropLast \(dropLast)")
    }
  }

  /// Two hooks at once: row `i` of both matrices is the same token, whatever the order asked.
  @Test func twoHooksGiveAlignedRows() throws {
    let directory = scratchDirectory("aligned")
    defer { try? FileManager.default.removeItem(at: directory) }
    let synthetic = SyntheticFeatureSet(dtype: .float16)
    try synthetic.write(to: directory)
    let set = try FeatureSet(directory: directory)
    for order in [ReadOrder.sequential, .shuffled(seed: 9, bufferRows: 8)] {
      var batches = try set.batches(of: [.mlpOutput(layer: 1), .mlpInput(layer: 1)], batchSize: 4, order: order)
      var seen = 0
      while let batch = try batches.next() {
        #expect(batch.hooks.map(\.name) == ["blocks.1.hook_mlp_out", "blocks.1.ln2.hook_normalized"])
        let target = try #require(batch.values(of: .mlpOutput(layer: 1)))
        let input = try #require(batch.values(of: .mlpInput(layer: 1)))
        #expect(batch.values(of: .residualPost(layer: 2)) == nil)
        for (i, token) in batch.tokenIDs.enumerated() {
          #expect(Array(target.row(i)) == synthetic.expectedRow(Int(token), hook: 1))
          #expect(Array(input.row(i)) == synthetic.expectedRow(Int(token), hook: 0))
        }
        seen += batch.rows
      }
      #expect(seen == 31)
    }
  }

  /// Directories are read one after the other as one set, each in its own dtype and format.
  @Test func concatenatesDirectories() throws {
    let first = scratchDirectory("concat-a")
    let second = scratchDirectory("concat-b")
    defer {
      try? FileManager.default.removeItem(at: first)
      try? FileManager.default.removeItem(at: second)
    }
    let a = SyntheticFeatureSet()
    let b = SyntheticFeatureSet(shardRows: [4, 9], dtype: .float16, format: .npy, firstRow: 1000)
    try a.write(to: first)
    try b.write(to: second)
    let set = try FeatureSet(directories: [first, second])
    #expect(set.rowCount == 44)
    #expect(set.manifests.count == 2)
    let tokens = Array(0..<31) + Array(1000..<1013)
    var batches = try set.batches(of: [.mlpInput(layer: 1)], batchSize: 8, order: .sequential)
    var read: [Int32] = []
    var values: [Float] = []
    while let batch = try batches.next() {
      read += batch.tokenIDs
      values += batch.values[0].values
    }
    #expect(read == tokens.map { Int32($0) })
    #expect(values == tokens.flatMap { $0 < 1000 ? a.expectedRow($0, hook: 0) : b.expectedRow($0, hook: 0) })
    #expect(try set.rows(of: .mlpInput(layer: 1)).values == values)
  }

  /// Only hooks every directory holds can be read.
  @Test func hooksAreThoseOfEveryDirectory() throws {
    let first = scratchDirectory("common-a")
    let second = scratchDirectory("common-b")
    defer {
      try? FileManager.default.removeItem(at: first)
      try? FileManager.default.removeItem(at: second)
    }
    try SyntheticFeatureSet().write(to: first)
    let partial = [SyntheticFeatureSet.defaultHooks[0], SyntheticFeatureSet.defaultHooks[2]]
    try SyntheticFeatureSet(hooks: partial, shardRows: [3]).write(to: second)
    let set = try FeatureSet(directories: [first, second])
    #expect(set.hooks == partial)
    #expect(try set.record(for: .residualPost(layer: 2)) == partial[1])
    #expect(
      throws: FeatureSetError.missingHook(
        name: "blocks.1.hook_mlp_out", directory: second, available: partial.map(\.name))
    ) {
      try set.batches(of: [.mlpInput(layer: 1), .mlpOutput(layer: 1)], batchSize: 2, order: .sequential)
    }
  }
}
