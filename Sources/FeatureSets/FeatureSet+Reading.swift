import HookPoints
import TensorCore

extension FeatureSet {
  /// A pass over the set's rows of `hooks`, in batches of `batchSize` rows.
  ///
  /// With several hooks the batches hold aligned rows: row `i` of every matrix is the same
  /// token (`mlp_in` and `mlp_out` of one layer give a transcoder's input/target pairs).
  ///
  /// ```swift
  /// var batches = try set.batches(of: [.mlpInput(layer: 5), .mlpOutput(layer: 5)], batchSize: 1024, order: .sequential)
  /// while let batch = try batches.next() { step(input: batch.values[0], target: batch.values[1]) }
  /// ```
  ///
  /// - Parameters:
  ///   - hooks: hook points to read (at least one; each must be in every directory).
  ///   - batchSize: rows per batch (positive).
  ///   - order: file order, or a seeded buffered shuffle (see ``ReadOrder``).
  ///   - dropLast: leave out a last batch shorter than `batchSize`.
  ///   - rows: read only these rows of the set (numbered in file order across shards and
  ///     directories, as ``rows(of:)`` returns them), e.g. the first 80% for training and the
  ///     rest for validation; `nil` reads every row. A shuffled order shuffles within the range.
  /// - Returns: the batches; reading starts at the first ``FeatureBatches/next()``.
  /// - Throws: ``FeatureSetError/missingHook(name:directory:available:)``,
  ///   ``FeatureSetError/invalidRequest(_:)`` (no hook, a non-positive batch size or buffer).
  public func batches(
    of hooks: [HookPoint], batchSize: Int, order: ReadOrder, dropLast: Bool = false, rows: Range<Int>? = nil
  ) throws(FeatureSetError) -> FeatureBatches {
    guard !hooks.isEmpty else { throw .invalidRequest("no hook given to read") }
    guard batchSize > 0 else { throw .invalidRequest("the batch size must be positive, got \(batchSize)") }
    if case .shuffled(_, let bufferRows) = order, bufferRows <= 0 {
      throw .invalidRequest("the shuffle buffer must hold at least one row, got \(bufferRows)")
    }
    let records = try hooks.map { point throws(FeatureSetError) in try record(for: point) }
    var selected = shards
    if let rows {
      guard rows.lowerBound >= 0, rows.upperBound <= rowCount else {
        throw .invalidRequest("rows \(rows.lowerBound)..<\(rows.upperBound) are outside the set's 0..<\(rowCount)")
      }
      selected = []
      var start = 0
      for var shard in shards {
        let global = start..<(start + shard.rows)
        start += shard.rows
        let overlap = global.clamped(to: rows)
        guard !overlap.isEmpty else { continue }
        shard.selected = (overlap.lowerBound - global.lowerBound)..<(overlap.upperBound - global.lowerBound)
        selected.append(shard)
      }
    }
    return FeatureBatches(shards: selected, hooks: records, batchSize: batchSize, order: order, dropLast: dropLast)
  }

  /// Every row of `point`, in file order, as one `[rowCount, width]` matrix.
  ///
  /// This loads the whole hook into memory (`rowCount · width · 4` bytes); it is meant for
  /// small sets and tests. Use ``batches(of:batchSize:order:dropLast:)`` for anything large.
  ///
  /// - Throws: ``FeatureSetError/missingHook(name:directory:available:)``,
  ///   ``FeatureSetError/unreadableShard(file:reason:)``.
  public func rows(of point: HookPoint) throws(FeatureSetError) -> Matrix {
    let hook = try record(for: point)
    var values = [Float](repeating: 0, count: rowCount * hook.width)
    var stream = RowStream(shards: shards, hooks: [hook])
    let delivered = try stream.read(upTo: rowCount) { shard, range, at in
      values.withUnsafeMutableBufferPointer {
        shard.copyValues(hook: 0, rows: range, to: $0.baseAddress! + at * hook.width)
      }
    }
    precondition(delivered == rowCount, "shards ended after \(delivered) of \(rowCount) rows")
    return Matrix(rows: rowCount, columns: hook.width, values: values)
  }
}
