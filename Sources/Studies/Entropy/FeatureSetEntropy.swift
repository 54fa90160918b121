import Autoencoders
import FeatureSets
import Foundation
import HookPoints
import TensorCore

/// Errors of the entropy analyses.
public enum EntropyError: Error, CustomStringConvertible, Equatable {
  /// Entropy is estimated with binary codes.
  case notBinary(architecture: String)
  case noRows(String)
  case codes(CodeError)

  public var description: String {
    switch self {
    case .notBinary(let a):
      "the autoencoder is a \(a); feature-set entropy is estimated from a BAE's binary codes"
    case .noRows(let what): "no rows to estimate the entropy of: \(what)"
    case .codes(let error): error.description
    }
  }
}

/// The entropy of a feature set's rows at one hook under a trained BAE: every row (or the first
/// `maxRows`) is encoded in turn and counted (constant memory besides the `m × m` pair counts).
public enum FeatureSetEntropy {
  /// Estimates the entropy of `set` at the autoencoder's input hook (or `hook`).
  ///
  /// - Parameters:
  ///   - progress: rows done so far, after every batch.
  /// - Throws: ``EntropyError``.
  public static func measure(
    autoencoder: Autoencoder, set: FeatureSet, hook: HookPoint? = nil, maxRows: Int? = nil,
    batchSize: Int = 4096, context: ComputeContext, progress: (Int) -> Void = { _ in }
  ) throws(EntropyError) -> EntropyEstimate {
    guard autoencoder.configuration.architecture.isBinary else {
      throw .notBinary(architecture: autoencoder.configuration.architecture.rawValue)
    }
    let record: HookRecord
    do {
      record = try set.inputRecord(for: autoencoder, hook: hook)
    } catch {
      throw .codes(error)
    }
    let limit = min(set.rowCount, maxRows ?? Int.max)
    guard limit > 0 else { throw .noRows("the feature set holds no rows") }
    var batches: FeatureBatches
    do {
      batches = try set.batches(of: [record.point], batchSize: batchSize, order: .sequential, rows: 0..<limit)
    } catch {
      throw .codes(.featureSet(error))
    }
    var statistics = CodeSetStatistics(codeWidth: autoencoder.configuration.codeWidth)
    while true {
      let next: FeatureBatch?
      do {
        next = try batches.next()
      } catch {
        throw .codes(.featureSet(error))
      }
      guard let batch = next else { break }
      statistics.add(measureRows: batch.values[0], autoencoder: autoencoder, context: context)
      progress(statistics.rows)
    }
    return statistics.estimate
  }

  /// Estimates the entropy of `rows` (`[N, d]`, in memory) under `autoencoder`.
  ///
  /// - Throws: ``EntropyError``.
  public static func measure(autoencoder: Autoencoder, rows: Matrix, context: ComputeContext) throws(EntropyError)
    -> EntropyEstimate
  {
    guard autoencoder.configuration.architecture.isBinary else {
      throw .notBinary(architecture: autoencoder.configuration.architecture.rawValue)
    }
    guard rows.columns == autoencoder.configuration.inputWidth else {
      throw .codes(.widthMismatch(hook: "rows", width: rows.columns, expected: autoencoder.configuration.inputWidth))
    }
    guard rows.rows > 0 else { throw .noRows("no rows were given") }
    var statistics = CodeSetStatistics(codeWidth: autoencoder.configuration.codeWidth)
    let step = 4096
    for start in stride(from: 0, to: rows.rows, by: step) {
      statistics.add(
        measureRows: rows.rows(start..<min(rows.rows, start + step)), autoencoder: autoencoder, context: context)
    }
    return statistics.estimate
  }
}

extension CodeSetStatistics {
  mutating func add(measureRows x: Matrix, autoencoder: Autoencoder, context: ComputeContext) {
    add(autoencoder.encode(x, context: context), workers: context.threads)
  }
}
