import TensorCore

/// The row buffer of ``ReadOrder/shuffled(seed:bufferRows:)``: up to `capacity` rows of every
/// requested hook (as `Float`) and their index entries, plus the generator that picks which
/// buffered row goes out next.
struct ShuffleBuffer: Sendable {
  /// Rows the buffer holds when full.
  let capacity: Int
  /// Width of each hook.
  let widths: [Int]
  /// Per hook, `[capacity, width]` row-major; slots `0..<count` are filled.
  private var values: [[Float]]
  private var tokenIDs: [Int32]
  private var documentIndex: [Int64]
  private var positions: [Int32]
  /// Filled slots.
  private(set) var count = 0
  private var random: SeededRandom

  /// An empty buffer of `capacity` rows whose picks are drawn from `random`.
  init(capacity: Int, widths: [Int], random: SeededRandom) {
    self.capacity = capacity
    self.widths = widths
    values = widths.map { [Float](repeating: 0, count: capacity * $0) }
    tokenIDs = [Int32](repeating: 0, count: capacity)
    documentIndex = [Int64](repeating: 0, count: capacity)
    positions = [Int32](repeating: 0, count: capacity)
    self.random = random
  }

  /// Stores rows `rows` of `shard` in slots `slot…`.
  mutating func store(_ shard: ShardReader, rows: Range<Int>, at slot: Int) {
    for h in widths.indices {
      let width = widths[h]
      values[h].withUnsafeMutableBufferPointer {
        shard.copyValues(hook: h, rows: rows, to: $0.baseAddress! + slot * width)
      }
    }
    tokenIDs.withUnsafeMutableBufferPointer { t in
      documentIndex.withUnsafeMutableBufferPointer { d in
        positions.withUnsafeMutableBufferPointer { p in
          shard.copyIndices(
            rows: rows, tokenIDs: t.baseAddress! + slot, documentIndex: d.baseAddress! + slot,
            positions: p.baseAddress! + slot)
        }
      }
    }
  }

  /// Fills the empty slots from `stream` (up to `capacity` rows in all).
  mutating func fill(from stream: inout RowStream) throws(FeatureSetError) {
    let start = count
    let delivered = try stream.read(upTo: capacity - count) { shard, rows, delivered in
      store(shard, rows: rows, at: start + delivered)
    }
    count += delivered
  }

  /// Picks a uniformly random filled slot, appends its row to `batch`, and refills the slot
  /// with the next row of `stream`, or, when the stream is exhausted, with the last filled
  /// slot (shrinking the buffer).
  /// - Precondition: `count > 0`.
  mutating func emit(into batch: inout BatchBuilder, refillingFrom stream: inout RowStream) throws(FeatureSetError) {
    precondition(count > 0, "emit from an empty shuffle buffer")
    let slot = random.integer(below: count)
    for h in widths.indices {
      values[h].withUnsafeBufferPointer { batch.setValues(hook: h, from: $0.baseAddress! + slot * widths[h]) }
    }
    batch.finishRow(tokenID: tokenIDs[slot], documentIndex: documentIndex[slot], position: positions[slot])
    let refilled = try stream.read(upTo: 1) { shard, rows, _ in store(shard, rows: rows, at: slot) }
    if refilled == 0 {
      count -= 1
      if slot != count { move(count, to: slot) }
    }
  }

  /// Copies the row in slot `from` to slot `to`.
  private mutating func move(_ from: Int, to: Int) {
    for h in widths.indices {
      let width = widths[h]
      values[h].withUnsafeMutableBufferPointer {
        ($0.baseAddress! + to * width).update(from: $0.baseAddress! + from * width, count: width)
      }
    }
    tokenIDs[to] = tokenIDs[from]
    documentIndex[to] = documentIndex[from]
    positions[to] = positions[from]
  }
}
