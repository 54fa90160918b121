import TensorCore

/// Batches of rows of a ``FeatureSet``, read lazily from its shards; made by
/// ``FeatureSet/batches(of:batchSize:order:dropLast:)``.
///
/// ```swift
/// var batches = try set.batches(of: [.residualPost(layer: 12)], batchSize: 4096, order: .shuffled(seed: 1, bufferRows: 1 << 16))
/// while let batch = try batches.next() {
///   train(on: batch.values[0])  // [≤ 4096, width]
/// }
/// ```
///
/// Every batch holds ``batchSize`` rows except possibly the last (dropped when `dropLast` is
/// set); batches run across shard and directory boundaries. One pass yields every row of the
/// set once; make a new value for another pass (another epoch: another seed).
///
/// Memory stays bounded whatever the size of the set: shards are memory-mapped one at a time,
/// the pages of rows already read are given back to the kernel as the cursor passes them, and
/// a finished shard is unmapped. Resident memory is about one batch, plus the shuffle buffer
/// (``ReadOrder/shuffled(seed:bufferRows:)``), plus a few pages per tensor.
public struct FeatureBatches: Sendable {
  /// The hooks of every batch, in request order.
  public let hooks: [HookRecord]
  /// Rows per batch.
  public let batchSize: Int
  /// The order of the rows.
  public let order: ReadOrder
  /// Rows this pass yields in all (the set's rows, less a short last batch if dropped).
  public let rowCount: Int

  private var stream: RowStream
  private var shuffle: ShuffleBuffer?
  private var emitted = 0

  /// A pass over `shards` (in file order; shuffled here when `order` asks) reading `hooks`.
  init(shards: [ShardLocation], hooks: [HookRecord], batchSize: Int, order: ReadOrder, dropLast: Bool) {
    let total = shards.reduce(0) { $0 + $1.selection.count }
    self.hooks = hooks
    self.batchSize = batchSize
    self.order = order
    rowCount = dropLast ? total / batchSize * batchSize : total
    switch order {
    case .sequential:
      stream = RowStream(shards: shards, hooks: hooks)
    case .shuffled(let seed, let bufferRows):
      // Independent streams of the seed for the shard order and the buffer picks, so neither
      // depends on how many draws the other made.
      var shardRandom = SeededRandom(seed: seed, stream: 0)
      let permuted = shardRandom.permutation(shards.count).map { shards[$0] }
      stream = RowStream(shards: permuted, hooks: hooks)
      shuffle = ShuffleBuffer(
        capacity: min(bufferRows, max(total, 1)), widths: hooks.map(\.width),
        random: SeededRandom(seed: seed, stream: 1))
    }
  }

  /// The next batch, or `nil` after the last.
  ///
  /// - Throws: ``FeatureSetError/unreadableShard(file:reason:)`` when a shard reached by the
  ///   cursor cannot be mapped or disagrees with the manifest (it is checked when opened).
  public mutating func next() throws(FeatureSetError) -> FeatureBatch? {
    let rows = min(batchSize, rowCount - emitted)
    guard rows > 0 else { return nil }
    let batch: FeatureBatch
    if shuffle != nil {
      batch = try nextShuffled(rows: rows)
    } else {
      batch = try nextSequential(rows: rows)
    }
    emitted += rows
    return batch
  }

  /// `rows` rows straight from the shards into the batch arrays.
  private mutating func nextSequential(rows: Int) throws(FeatureSetError) -> FeatureBatch {
    var values = hooks.map { [Float](repeating: 0, count: rows * $0.width) }
    var tokenIDs = [Int32](repeating: 0, count: rows)
    var documentIndex = [Int64](repeating: 0, count: rows)
    var positions = [Int32](repeating: 0, count: rows)
    let widths = hooks.map(\.width)
    let delivered = try stream.read(upTo: rows) { shard, range, at in
      for h in widths.indices {
        values[h].withUnsafeMutableBufferPointer {
          shard.copyValues(hook: h, rows: range, to: $0.baseAddress! + at * widths[h])
        }
      }
      tokenIDs.withUnsafeMutableBufferPointer { t in
        documentIndex.withUnsafeMutableBufferPointer { d in
          positions.withUnsafeMutableBufferPointer { p in
            shard.copyIndices(
              rows: range, tokenIDs: t.baseAddress! + at, documentIndex: d.baseAddress! + at,
              positions: p.baseAddress! + at)
          }
        }
      }
    }
    // The set's files were checked against the manifest when opened, so the shards hold the
    // rows the manifest counts.
    precondition(delivered == rows, "shards ended after \(delivered) of \(rows) rows")
    return FeatureBatch(
      hooks: hooks, values: zip(values, widths).map { Matrix(rows: rows, columns: $1, values: $0) }, tokenIDs: tokenIDs,
      documentIndex: documentIndex, positions: positions)
  }

  /// `rows` rows picked one by one from the shuffle buffer.
  private mutating func nextShuffled(rows: Int) throws(FeatureSetError) -> FeatureBatch {
    var builder = BatchBuilder(rows: rows, widths: hooks.map(\.width))
    for _ in 0..<rows {
      if shuffle!.count < shuffle!.capacity { try shuffle!.fill(from: &stream) }
      try shuffle!.emit(into: &builder, refillingFrom: &stream)
    }
    return FeatureBatch(
      hooks: hooks, values: zip(builder.values, hooks).map { Matrix(rows: rows, columns: $1.width, values: $0) },
      tokenIDs: builder.tokenIDs, documentIndex: builder.documentIndex, positions: builder.positions)
  }
}
