import FeatureSets
import Foundation
import HookPoints
import TensorCore

/// Which rows of a feature set an autoencoder trains on: what `config.json` records under
/// `data`, so the run can be reproduced and audited.
public struct DataOptions: Codable, Sendable, Equatable {
  /// Rows at window positions below this are dropped (1 drops the attention sink; extraction
  /// already drops position 0 by default, so the default here is 0).
  public var dropPositionsBelow = 0
  /// Rows whose L2 norm (at any hook of a group) exceeds this are dropped; `nil` keeps all.
  public var maxNorm: Double?
  /// At most this many rows are read (the first, in file order); `nil` reads the whole set.
  public var maxRows: Int?
  /// Input scaling to fit on the training rows.
  public var normalization: InputNormalization.Kind = .none

  public init() {}

  /// Checks the values.
  public func validate() throws(AutoencoderError) {
    if dropPositionsBelow < 0 { throw .invalidConfiguration(key: "dropPositionsBelow", reason: "must not be negative") }
    if let maxNorm, !(maxNorm > 0) { throw .invalidConfiguration(key: "maxNorm", reason: "must be positive") }
    if let maxRows, maxRows < 1 { throw .invalidConfiguration(key: "maxRows", reason: "must be at least 1") }
  }
}

/// What reading the training rows kept and dropped.
public struct DataReport: Codable, Sendable, Equatable {
  /// Rows read from the feature set.
  public var rowsRead = 0
  /// Rows dropped for their position.
  public var droppedByPosition = 0
  /// Rows dropped for their norm.
  public var droppedByNorm = 0
  /// Rows kept.
  public var rowsKept = 0
  public init() {}
  /// A report of `rowsRead` rows read (as many kept, when filtering is not counted up front).
  public init(rowsRead: Int) {
    self.rowsRead = rowsRead
    rowsKept = rowsRead
  }
}

/// Rows of one or more aligned hooks, read from a feature set with the data options applied.
public struct TrainingRows: Sendable {
  /// The hooks, in the order asked for.
  public var hooks: [HookRecord]
  /// One `[rowsKept, width]` matrix per hook; row `i` of each is the same token.
  public var values: [Matrix]
  public var report: DataReport

  /// Reads every (or the first `maxRows`) row of `hooks` from `set`, in file order, keeping a
  /// row only if its position and the norms at every hook pass `options`. Rows holding NaN or
  /// ±∞ are an error naming the row.
  ///
  /// - Complexity: memory of the kept rows (`rows · Σ widths · 4` bytes); reading streams.
  public init(
    from set: FeatureSet, hooks points: [HookPoint], options: DataOptions, progress: (Int) -> Void = { _ in }
  ) throws(AutoencoderError) {
    try options.validate()
    let records: [HookRecord]
    var batches: FeatureBatches
    do {
      records = try points.map { point throws(FeatureSetError) in try set.record(for: point) }
      batches = try set.batches(of: points, batchSize: 4096, order: .sequential)
    } catch {
      throw .unreadable(file: set.directories.first ?? URL(fileURLWithPath: "."), reason: error.description)
    }
    // The rows are held in memory: refuse up front what cannot fit, rather than swap or abort.
    let rows = min(set.rowCount, options.maxRows ?? Int.max)
    let (bytes, overflow) = rows.multipliedReportingOverflow(by: records.map(\.width).reduce(0, +) * 4)
    let budget = Int(Double(ProcessInfo.processInfo.physicalMemory) * 0.75)
    if overflow || bytes > budget {
      throw .invalidConfiguration(
        key: "maxRows",
        reason:
          "\(rows) rows of \(records.count) hook(s) need \(bytes / (1 << 20)) MiB in memory, more than 75% of this machine's \(budget / 3 * 4 / (1 << 20)) MiB; train on fewer rows or fewer hooks at once, or stream the rows from disk"
      )
    }
    var accumulator = Accumulator(hooks: records, options: options, expectedRows: set.rowCount)
    while !accumulator.full {
      let batch: FeatureBatch?
      do {
        batch = try batches.next()
      } catch {
        throw .unreadable(file: set.directories.first ?? URL(fileURLWithPath: "."), reason: error.description)
      }
      guard let batch else { break }
      try accumulator.append(batch)
      progress(accumulator.report.rowsRead)
    }
    self = accumulator.rows
  }

  /// The rows of `batch` (for example rows extracted in memory, in extraction order), filtered
  /// exactly as ``init(from:hooks:options:progress:)`` filters a feature set's rows.
  public init(batch: FeatureBatch, options: DataOptions) throws(AutoencoderError) {
    try options.validate()
    var accumulator = Accumulator(hooks: batch.hooks, options: options, expectedRows: batch.rows)
    try accumulator.append(batch)
    self = accumulator.rows
  }

  init(hooks: [HookRecord], values: [Matrix], report: DataReport) {
    self.hooks = hooks
    self.values = values
    self.report = report
  }

  /// Filters rows batch by batch into growing per-hook arrays.
  struct Accumulator {
    let hooks: [HookRecord]
    let options: DataOptions
    let limit: Int
    let maxSquaredNorm: Float?
    var kept: [[Float]]
    var report = DataReport()

    init(hooks: [HookRecord], options: DataOptions, expectedRows: Int) {
      self.hooks = hooks
      self.options = options
      limit = options.maxRows ?? Int.max
      maxSquaredNorm = options.maxNorm.map { Float($0 * $0) }
      kept = hooks.map { hook in
        var values = [Float]()
        values.reserveCapacity(min(expectedRows, options.maxRows ?? expectedRows) * hook.width)
        return values
      }
    }

    var full: Bool { report.rowsRead >= limit }

    mutating func append(_ batch: FeatureBatch) throws(AutoencoderError) {
      for row in 0..<batch.rows {
        if full { return }
        let index = report.rowsRead
        report.rowsRead += 1
        if Int(batch.positions[row]) < options.dropPositionsBelow {
          report.droppedByPosition += 1
          continue
        }
        var keep = true
        for (h, matrix) in batch.values.enumerated() {
          var squared: Float = 0
          for v in matrix.row(row) {
            guard v.isFinite else { throw .nonFiniteData(row: index, what: "hook \(hooks[h].name) of the data") }
            squared += v * v
          }
          if let maxSquaredNorm, squared > maxSquaredNorm { keep = false }
        }
        guard keep else {
          report.droppedByNorm += 1
          continue
        }
        for (h, matrix) in batch.values.enumerated() { kept[h].append(contentsOf: matrix.row(row)) }
        report.rowsKept += 1
      }
    }

    var rows: TrainingRows {
      TrainingRows(
        hooks: hooks, values: zip(hooks, kept).map { Matrix(rows: report.rowsKept, columns: $0.width, values: $1) },
        report: report)
    }
  }
}
