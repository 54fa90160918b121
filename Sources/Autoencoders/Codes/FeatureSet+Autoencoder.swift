import FeatureSets
import HookPoints

extension FeatureSet {
  /// The hook an autoencoder reads: `hook` if given, else the autoencoder's recorded input
  /// hook, after checking the set has it at the autoencoder's input width.
  ///
  /// - Throws: ``CodeError/noHook``, ``CodeError/invalidHook(name:reason:)``,
  ///   ``CodeError/featureSet(_:)`` (the set lacks the hook), ``CodeError/widthMismatch(hook:width:expected:)``.
  public func inputRecord(for autoencoder: Autoencoder, hook: HookPoint? = nil) throws(CodeError) -> HookRecord {
    let point: HookPoint
    if let hook {
      point = hook
    } else {
      guard let name = autoencoder.configuration.inputHook else { throw .noHook }
      do {
        point = try HookPoint(name: name)
      } catch {
        throw .invalidHook(name: name, reason: error.description)
      }
    }
    let record: HookRecord
    do {
      record = try self.record(for: point)
    } catch {
      throw .featureSet(error)
    }
    guard record.width == autoencoder.configuration.inputWidth else {
      throw .widthMismatch(hook: record.name, width: record.width, expected: autoencoder.configuration.inputWidth)
    }
    return record
  }

  /// Sequential batches of `record`'s rows, errors as ``CodeError``.
  func sequentialBatches(of record: HookRecord, batchSize: Int) throws(CodeError) -> FeatureBatches {
    guard batchSize > 0 else { throw .invalidOption("the batch size must be positive, got \(batchSize)") }
    do {
      return try batches(of: [record.point], batchSize: batchSize, order: .sequential)
    } catch {
      throw .featureSet(error)
    }
  }
}

extension FeatureBatches {
  /// ``next()`` with errors as ``CodeError``.
  mutating func nextBatch() throws(CodeError) -> FeatureBatch? {
    do {
      return try next()
    } catch {
      throw .featureSet(error)
    }
  }
}
