import FeatureSets
import Foundation
import HookPoints
import TensorCore
import TestSupport
import Testing

/// Reading a range of the set's rows (a training/validation split without copying the set).
@Suite struct RowRangeTests {
  let synthetic = SyntheticFeatureSet()

  func tokens(_ set: FeatureSet, rows: Range<Int>, order: ReadOrder) throws -> [Int] {
    var batches = try set.batches(of: [.mlpInput(layer: 1)], batchSize: 4, order: order, rows: rows)
    var tokens: [Int] = []
    while let batch = try batches.next() {
      for (i, token) in batch.tokenIDs.map(Int.init).enumerated() {
        #expect(Array(batch.values[0].row(i)) == synthetic.expectedRow(token, hook: 0))
      }
      tokens += batch.tokenIDs.map(Int.init)
    }
    return tokens
  }

  /// Ranges inside one shard, across shard boundaries, the empty range and the whole set.
  @Test(arguments: [0..<31, 3..<5, 5..<24, 20..<21, 24..<31, 0..<0])
  func sequentialRangeIsThatSliceOfTheSet(rows: Range<Int>) throws {
    let directory = try ScratchDirectory("rows").url
    _ = try synthetic.write(to: directory)
    let set = try FeatureSet(directory: directory)
    #expect(try tokens(set, rows: rows, order: .sequential) == Array(rows))
    let shuffled = try tokens(set, rows: rows, order: .shuffled(seed: 3, bufferRows: 6))
    #expect(shuffled.sorted() == Array(rows))
  }

  @Test func rangeOutsideTheSetIsRefused() throws {
    let directory = try ScratchDirectory("rows-bad").url
    _ = try synthetic.write(to: directory)
    let set = try FeatureSet(directory: directory)
    #expect(throws: FeatureSetError.self) {
      _ = try set.batches(of: [.mlpInput(layer: 1)], batchSize: 4, order: .sequential, rows: 10..<40)
    }
  }
}
