import Autoencoders
import FeatureSets
import HookPoints
import TensorCore

/// Options of ``ReconstructionEvaluation/evaluate(_:autoencoder:hooks:options:progress:)``.
public struct ReconstructionOptions: Sendable, Equatable {
  /// Rows encoded at a time (memory: about `batchSize · (2d + m) · 4` bytes).
  public var batchSize: Int
  /// Evaluate only the first this many rows (`nil`: all).
  public var maxRows: Int?
  /// Dead and dense definitions.
  public var activity: CodeActivity
  /// Threads for the autoencoder's products.
  public var context: ComputeContext

  public init(
    batchSize: Int = 4096, maxRows: Int? = nil, activity: CodeActivity, context: ComputeContext = ComputeContext()
  ) {
    self.batchSize = batchSize
    self.maxRows = maxRows
    self.activity = activity
    self.context = context
  }

  /// - Throws: ``EvaluationError/invalidOption(_:)`` naming the option.
  public func validate() throws(EvaluationError) {
    guard batchSize >= 1 else { throw .invalidOption("the batch size must be at least 1, got \(batchSize)") }
    if let maxRows, maxRows < 1 { throw .invalidOption("the row limit must be at least 1, got \(maxRows)") }
    do {
      try activity.validate()
    } catch {
      throw .invalidOption("the dense threshold must be a firing rate in 0…1, got \(activity.denseThreshold)")
    }
  }
}

/// Reconstruction statistics of an autoencoder over the rows of a feature set: one sequential
/// pass in batches, in constant memory whatever the set's size.
public enum ReconstructionEvaluation {
  /// Encodes and reconstructs `set`'s rows of the autoencoder's input hook (a transcoder's
  /// targets are read from its target hook in the same pass).
  ///
  /// - Parameters:
  ///   - hooks: where the autoencoder sits (``AutoencoderHooks/init(autoencoder:input:)``).
  ///   - progress: rows done and rows to do, after every batch.
  /// - Throws: ``EvaluationError``: the checks of ``AutoencoderHooks/check(_:against:)-(_,FeatureSet)``,
  ///   `.invalidOption`, `.nothingToEvaluate` (an empty set), `.unreadableFeatures`.
  public static func evaluate(
    _ set: FeatureSet, autoencoder: Autoencoder, hooks: AutoencoderHooks, options: ReconstructionOptions,
    progress: (_ rows: Int, _ total: Int) -> Void = { _, _ in }
  ) throws(EvaluationError) -> ReconstructionStatistics {
    try options.validate()
    let points = try hooks.check(autoencoder, against: set)
    let total = min(set.rowCount, options.maxRows ?? .max)
    guard total > 0 else { throw .nothingToEvaluate("the feature set holds no rows") }
    var accumulator = ReconstructionAccumulator(
      inputWidth: autoencoder.configuration.inputWidth, codeWidth: autoencoder.configuration.codeWidth)
    do {
      var batches = try set.batches(of: points, batchSize: options.batchSize, order: .sequential, rows: 0..<total)
      while let batch = try batches.next() {
        let x = batch.values[0]
        let codes = autoencoder.encode(x, context: options.context)
        let reconstructions = autoencoder.reconstruction(fromCodes: codes, context: options.context)
        accumulator.add(targets: batch.values[points.count - 1], reconstructions: reconstructions, codes: codes)
        progress(accumulator.rows, total)
      }
    } catch {
      throw .unreadableFeatures("\(error)")
    }
    return accumulator.statistics(activity: options.activity)
  }
}
