/// The rows of a list of shards, in that order, read forward once: each shard is opened when
/// the cursor reaches it and unmapped when the cursor leaves it, and the pages behind the
/// cursor are given back as it moves, so only the rows near the cursor stay resident.
struct RowStream: Sendable {
  /// Shards in reading order.
  let shards: [ShardLocation]
  /// Hooks to read, in request order.
  let hooks: [HookRecord]
  /// Index of the next shard to open.
  private var nextShard = 0
  /// The shard under the cursor.
  private var current: ShardReader?
  /// Next row of `current`.
  private var row = 0

  /// A stream over `shards`, reading `hooks`.
  init(shards: [ShardLocation], hooks: [HookRecord]) {
    self.shards = shards
    self.hooks = hooks
  }

  /// Reads up to `count` rows: calls `body` once per run of rows that lie in one shard, with
  /// the shard, the run's rows in it, and how many rows earlier calls of this read delivered.
  /// Pages of the rows read are given back after `body` returns.
  ///
  /// - Returns: rows delivered (fewer than `count` only at the end of the stream).
  /// - Throws: ``FeatureSetError`` from opening a shard.
  mutating func read(
    upTo count: Int, _ body: (_ shard: ShardReader, _ rows: Range<Int>, _ delivered: Int) -> Void
  ) throws(FeatureSetError) -> Int {
    var delivered = 0
    while delivered < count {
      if current == nil || row == current!.location.selection.upperBound {
        // Dropping the finished reader unmaps its files.
        current = nil
        guard nextShard < shards.count else { break }
        current = try ShardReader(location: shards[nextShard], hooks: hooks)
        nextShard += 1
        row = current!.location.selection.lowerBound
        continue
      }
      let n = min(count - delivered, current!.location.selection.upperBound - row)
      body(current!, row..<(row + n), delivered)
      row += n
      delivered += n
      current!.release(below: row)
    }
    return delivered
  }
}
