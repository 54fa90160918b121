import FeatureSets
import Foundation
import HookPoints
import TensorCore
import Testing

/// The seeded buffered shuffle: reproducible, seed-dependent, every row exactly once.
@Suite struct ShuffleTests {
  let synthetic = SyntheticFeatureSet(dtype: .bfloat16)

  /// Token ids of one shuffled pass, checking on the way that values follow their tokens.
  func order(_ set: FeatureSet, seed: UInt64, bufferRows: Int, batchSize: Int = 5) throws -> [Int] {
    var batches = try set.batches(
      of: [.residualPost(layer: 2), .mlpInput(layer: 1)], batchSize: batchSize,
      order: .shuffled(seed: seed, bufferRows: bufferRows))
    var tokens: [Int] = []
    while let batch = try batches.next() {
      #expect(batch.rows == min(batchSize, 31 - tokens.count))
      for (i, token) in batch.tokenIDs.map(Int.init).enumerated() {
        #expect(Array(batch.values[0].row(i)) == synthetic.expectedRow(token, hook: 2))
        #expect(Array(batch.values[1].row(i)) == synthetic.expectedRow(token, hook: 0))
        #expect(batch.documentIndex[i] == Int64(token / 7) && batch.positions[i] == Int32(token % 7))
      }
      tokens += batch.tokenIDs.map(Int.init)
    }
    return tokens
  }

  /// Buffers smaller than a shard (4 < 7, 13, 10), larger than every shard (20), larger than
  /// the set (100).
  @Test(arguments: [1, 4, 20, 100])
  func reproducibleAndComplete(bufferRows: Int) throws {
    let directory = scratchDirectory("shuffle")
    defer { try? FileManager.default.removeItem(at: directory) }
    try synthetic.write(to: directory)
    let set = try FeatureSet(directory: directory)

    let first = try order(set, seed: 42, bufferRows: bufferRows)
    #expect(first.sorted() == Array(0..<31), "every row exactly once")
    #expect(try order(set, seed: 42, bufferRows: bufferRows) == first, "same seed, same order")
    #expect(
      try order(set, seed: 42, bufferRows: bufferRows, batchSize: 3) == first,
      "the order does not depend on the batch size")
    #expect(try order(set, seed: 43, bufferRows: bufferRows) != first, "another seed, another order")
    #expect(first != Array(0..<31))
  }

  /// A one-row buffer leaves only the shard order shuffled: each shard's rows come out
  /// together and in file order.
  @Test func oneRowBufferPermutesShardsOnly() throws {
    let directory = scratchDirectory("shuffle-shards")
    defer { try? FileManager.default.removeItem(at: directory) }
    try synthetic.write(to: directory)
    let set = try FeatureSet(directory: directory)
    let shards = [Array(0..<7), Array(7..<20), [20], Array(21..<31)]
    var orders: Set<[Int]> = []
    for seed: UInt64 in 0..<20 {
      let tokens = try order(set, seed: seed, bufferRows: 1)
      var rest = tokens[...]
      var shardOrder: [Int] = []
      while let next = rest.first, let shard = shards.firstIndex(where: { $0.first == next }) {
        #expect(Array(rest.prefix(shards[shard].count)) == shards[shard])
        rest = rest.dropFirst(shards[shard].count)
        shardOrder.append(shard)
      }
      #expect(rest.isEmpty && shardOrder.sorted() == [0, 1, 2, 3], "\(tokens)")
      orders.insert(shardOrder)
    }
    #expect(orders.count > 5, "the seed permutes the shards")
  }

  /// With a buffer that holds the whole set, the pass is a uniform permutation: over many
  /// seeds every row starts the pass about equally often (χ² test, 30 degrees of freedom,
  /// far below the 0.1 % critical value 59.7 for a uniform draw; a bounded shuffle of 4 rows
  /// fails it, since only the first shard's rows and the first 4 of one shard can lead).
  @Test func fullBufferIsUniform() throws {
    let directory = scratchDirectory("shuffle-uniform")
    defer { try? FileManager.default.removeItem(at: directory) }
    try SyntheticFeatureSet(hooks: [SyntheticFeatureSet.defaultHooks[2]]).write(to: directory)
    let set = try FeatureSet(directory: directory)
    func chiSquare(bufferRows: Int) throws -> Double {
      var firsts = [Int](repeating: 0, count: 31)
      let trials = 1550
      for seed in 0..<trials {
        var batches = try set.batches(
          of: [.residualPost(layer: 2)], batchSize: 1, order: .shuffled(seed: UInt64(seed), bufferRows: bufferRows))
        firsts[Int(try #require(try batches.next()).tokenIDs[0])] += 1
      }
      let expected = Double(trials) / 31
      return firsts.reduce(0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
    }
    #expect(try chiSquare(bufferRows: 31) < 59.7)
    #expect(try chiSquare(bufferRows: 4) > 59.7)
  }

  @Test func emptyBufferIsRefused() throws {
    let directory = scratchDirectory("shuffle-empty")
    defer { try? FileManager.default.removeItem(at: directory) }
    try synthetic.write(to: directory)
    let set = try FeatureSet(directory: directory)
    #expect(throws: FeatureSetError.invalidRequest("the shuffle buffer must hold at least one row, got 0")) {
      try set.batches(of: [.mlpInput(layer: 1)], batchSize: 4, order: .shuffled(seed: 1, bufferRows: 0))
    }
    #expect(throws: FeatureSetError.invalidRequest("the batch size must be positive, got 0")) {
      try set.batches(of: [.mlpInput(layer: 1)], batchSize: 0, order: .sequential)
    }
  }
}
