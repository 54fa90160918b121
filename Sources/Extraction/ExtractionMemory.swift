import FeatureSets
import Foundation
import Models

/// What an extraction's buffers take, estimated before anything is read, so a batch or shard
/// size beyond the machine is refused with a number instead of exhausting memory halfway.
///
/// Counted: the forward pass's per-token buffers (``LlamaRunState``: residual, norm, block
/// output `3d`, query and attention `2q`, key and value `2kv`, gate and up `2f`, logits when
/// recorded), one score matrix `context²` per thread, and the shard buffer (every hook's row in
/// f32 plus 16 bytes of indices) for `shardTokens + batchTokens` rows (capped by `maxTokens`).
/// The model's weights are not counted (they are loaded already).
public struct ExtractionMemory: Sendable {
  /// Bytes per token of a batch.
  public let bytesPerBatchToken: Int
  /// Bytes per row of the shard buffer.
  public let bytesPerShardRow: Int
  /// The estimate, in bytes (`Int.max` when it overflows).
  public let estimatedBytes: Int
  /// Which option makes most of the estimate.
  public let dominantOption: ExtractionOptionError.Option

  /// The estimate for `options` on a model of `configuration`.
  public init(configuration c: LlamaConfiguration, options: ExtractionOptions, hooks: [HookRecord], threads: Int) {
    let recordsLogits = hooks.contains { $0.point == .logits }
    let perToken =
      4 * (3 * c.hiddenSize + 2 * c.queryWidth + 2 * c.keyValueWidth + 2 * c.intermediateSize + 1)
      + (recordsLogits ? 4 * c.vocabularySize : 0)
    let perRow = hooks.reduce(16) { $0 + 4 * $1.width }
    bytesPerBatchToken = perToken
    bytesPerShardRow = perRow
    let shardRows = min(
      options.shardTokens.addingReportingOverflow(options.batchTokens).overflow
        ? Int.max : options.shardTokens + options.batchTokens,
      options.maxTokens ?? Int.max)
    func product(_ a: Int, _ b: Int) -> Int {
      let (value, overflow) = a.multipliedReportingOverflow(by: b)
      return overflow ? Int.max : value
    }
    func sum(_ values: Int...) -> Int {
      values.reduce(0) { total, value in
        let (next, overflow) = total.addingReportingOverflow(value)
        return overflow ? Int.max : next
      }
    }
    let batch = product(options.batchTokens, perToken)
    let shard = product(shardRows, perRow)
    let scores = product(product(threads, 4), product(options.context, options.context))
    estimatedBytes = sum(batch, shard, scores)
    dominantOption = batch >= shard ? .batchTokens : .shardTokens
  }

  /// The physical memory of this machine.
  public static var availableBytes: Int { Int(clamping: ProcessInfo.processInfo.physicalMemory) }

  /// Refuses an estimate beyond the machine's physical memory.
  ///
  /// - Throws: ``ExtractionError/batchTooLarge(estimatedBytes:availableBytes:bytesPerToken:option:)``.
  public func check(availableBytes: Int = ExtractionMemory.availableBytes) throws(ExtractionError) {
    guard estimatedBytes <= availableBytes else {
      throw .batchTooLarge(
        estimatedBytes: estimatedBytes, availableBytes: availableBytes,
        bytesPerToken: dominantOption == .batchTokens ? bytesPerBatchToken : bytesPerShardRow,
        option: dominantOption)
    }
  }
}
