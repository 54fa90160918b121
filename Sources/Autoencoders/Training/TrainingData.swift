import FeatureSets
import Foundation
import HookPoints
import TensorCore

/// Rows of a feature set read from disk at every epoch, for data sets larger than memory.
///
/// The first `trainFraction` of the rows (in file order, after `maxRows`) train and the rest
/// validate, as the reference splits. Each epoch reads the training rows through a seeded
/// buffered shuffle (``ReadOrder/shuffled(seed:bufferRows:)``: the shard order is permuted and
/// rows are drawn from a buffer of `bufferRows`), so memory stays at about one buffer whatever
/// the set's size; validation reads in file order. Rows are filtered by ``DataOptions`` as they
/// pass (a batch may hold fewer rows than the batch size), and inputs are scaled by
/// `normalization`. Results differ from training on the same rows in memory only by the order of
/// the rows (a full shuffle there, a buffered one here).
public struct StreamingRows: Sendable {
  public let set: FeatureSet
  /// The input hook and, for a transcoder, the target hook.
  public let input: HookPoint
  public let target: HookPoint?
  public let data: DataOptions
  /// Fitted input scaling (see ``fitNormalization(_:trainFraction:)``).
  public var normalization: InputNormalization = .none
  /// Rows in the shuffle buffer (default 65,536).
  public var bufferRows: Int

  public init(set: FeatureSet, input: HookPoint, target: HookPoint?, data: DataOptions, bufferRows: Int = 1 << 16) {
    self.set = set
    self.input = input
    self.target = target
    self.data = data
    self.bufferRows = bufferRows
  }

  /// Rows of the set in use (`maxRows` of them at most).
  public var rowCount: Int { min(set.rowCount, data.maxRows ?? Int.max) }

  /// Rows `0..<n` train and `n..<rowCount` validate.
  func split(trainFraction: Double) -> (train: Range<Int>, validation: Range<Int>) {
    let n = Int((Double(rowCount) * trainFraction).rounded(.down))
    return (0..<n, n..<rowCount)
  }

  var hooks: [HookPoint] { [input] + (target.map { [$0] } ?? []) }

  /// Width of the input hook.
  public func inputWidth() throws(AutoencoderError) -> Int {
    do {
      return try set.record(for: input).width
    } catch {
      throw .unreadable(file: set.directories.first ?? URL(fileURLWithPath: "."), reason: error.description)
    }
  }

  /// Calls `body` with every batch of `rows` (filtered, inputs scaled), in `order`.
  func forEachBatch(
    rows: Range<Int>, batchSize: Int, order: ReadOrder, _ body: (Matrix, Matrix) throws(AutoencoderError) -> Void
  ) throws(AutoencoderError) {
    guard !rows.isEmpty else { return }
    var batches: FeatureBatches
    do {
      batches = try set.batches(of: hooks, batchSize: batchSize, order: order, rows: rows)
    } catch {
      throw .unreadable(file: set.directories.first ?? URL(fileURLWithPath: "."), reason: error.description)
    }
    var options = data
    options.maxRows = nil  // the range already applies it
    while true {
      let next: FeatureBatch?
      do {
        next = try batches.next()
      } catch {
        throw .unreadable(file: set.directories.first ?? URL(fileURLWithPath: "."), reason: error.description)
      }
      guard let batch = next else { return }
      let kept = try TrainingRows(batch: batch, options: options)
      let x = normalization.apply(kept.values[0])
      try body(x, target == nil ? x : kept.values[1])
    }
  }

  /// Fits `kind` on the training rows in one streaming pass (sums and sums of squares in Double).
  public mutating func fitNormalization(_ kind: InputNormalization.Kind, trainFraction: Double) throws(AutoencoderError)
  {
    guard kind != .none else {
      normalization = .none
      return
    }
    var moments = InputNormalization.Moments(width: try inputWidth())
    try forEachBatch(rows: split(trainFraction: trainFraction).train, batchSize: 4096, order: .sequential) {
      x, _ throws(AutoencoderError) in moments.add(x)
    }
    guard moments.count > 0 else { throw .emptyDataset("no training rows left after filtering") }
    normalization = InputNormalization.fit(kind, moments: moments)
  }
}

/// Where a ``Trainer`` gets its rows.
enum TrainingData {
  /// Rows in memory, split into row indices.
  case memory(inputs: Matrix, targets: Matrix, train: [Int], validation: [Int])
  /// Rows read from a feature set at every epoch.
  case stream(StreamingRows, train: Range<Int>, validation: Range<Int>)

  var trainCount: Int {
    switch self {
    case .memory(_, _, let train, _): train.count
    case .stream(_, let train, _): train.count
    }
  }

  var hasValidation: Bool {
    switch self {
    case .memory(_, _, _, let validation): !validation.isEmpty
    case .stream(_, _, let validation): !validation.isEmpty
    }
  }

  /// The training batches of `epoch` (shuffled by the seed's stream for the epoch), calling
  /// `body` with (inputs, targets).
  func forEachTrainingBatch(
    epoch: Int, seed: UInt64, batchSize: Int, _ body: (Matrix, Matrix) throws(AutoencoderError) -> Void
  ) throws(AutoencoderError) {
    switch self {
    case .memory(let inputs, let targets, let train, _):
      var random = SeededRandom(seed: seed, stream: UInt64(epoch))
      var order = train
      random.shuffle(&order)
      var start = 0
      while start < order.count {
        let rows = Array(order[start..<min(order.count, start + batchSize)])
        start += batchSize
        try body(inputs.gathering(rows: rows), targets.gathering(rows: rows))
      }
    case .stream(let rows, let train, _):
      let order = ReadOrder.shuffled(
        seed: SplitMix64.mix(seed ^ UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15), bufferRows: rows.bufferRows)
      try rows.forEachBatch(rows: train, batchSize: batchSize, order: order, body)
    }
  }

  /// The first `count` training rows in file order (a fixed sample, the same at every call).
  func trainingSample(count: Int) throws(AutoencoderError) -> (Matrix, Matrix)? {
    switch self {
    case .memory(let inputs, let targets, let train, _):
      let rows = Array(train.sorted().prefix(count))
      return rows.isEmpty ? nil : (inputs.gathering(rows: rows), targets.gathering(rows: rows))
    case .stream(let rows, let train, _):
      var first: (Matrix, Matrix)?
      try rows.forEachBatch(rows: train.prefix(count), batchSize: count, order: .sequential) {
        x, y throws(AutoencoderError) in
        if first == nil { first = (x, y) }
      }
      return first
    }
  }

  /// The validation batches, in order.
  func forEachValidationBatch(batchSize: Int, _ body: (Matrix, Matrix) throws(AutoencoderError) -> Void)
    throws(AutoencoderError)
  {
    switch self {
    case .memory(let inputs, let targets, _, let validation):
      var start = 0
      while start < validation.count {
        let rows = Array(validation[start..<min(validation.count, start + batchSize)])
        start += batchSize
        try body(inputs.gathering(rows: rows), targets.gathering(rows: rows))
      }
    case .stream(let rows, _, let validation):
      try rows.forEachBatch(rows: validation, batchSize: batchSize, order: .sequential, body)
    }
  }
}
