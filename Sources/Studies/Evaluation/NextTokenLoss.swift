import Foundation
import TensorCore

/// Next-token cross-entropy of one row of logits, in nats:
/// `log Σ_v exp(ℓ_v) − ℓ_target`, with the log-sum-exp taken in Double around the row's
/// maximum (no overflow, no loss of the small terms).
///
/// - Parameters:
///   - logits: `[vocabulary]`.
///   - target: the token that follows (an index into `logits`).
public func nextTokenCrossEntropy(_ logits: UnsafeBufferPointer<Float>, target: Int) -> Double {
  precondition(logits.indices.contains(target), "target \(target) outside the vocabulary 0..<\(logits.count)")
  var largest = -Float.infinity
  for value in logits where value > largest { largest = value }
  let shift = Double(largest)
  var sum = 0.0
  for value in logits { sum += exp(Double(value) - shift) }
  return shift + log(sum) - Double(logits[target])
}

/// A sum of per-prediction losses and their count, added in a fixed order (so the mean does
/// not depend on the thread count).
public struct LossSum: Sendable, Equatable {
  /// Σ loss, nats.
  public private(set) var total = 0.0
  /// Predictions summed.
  public private(set) var count = 0

  public init() {}

  /// The mean loss (NaN before any prediction).
  public var mean: Double { count == 0 ? .nan : total / Double(count) }

  /// Adds the cross-entropy of each `(row, target)` of `logits` (`[rows, vocabulary]`
  /// row-major), the rows computed in parallel over `context`'s threads and added in order.
  public mutating func add(
    logits: UnsafeBufferPointer<Float>, vocabulary: Int, predictions: [(row: Int, target: Int)],
    context: ComputeContext
  ) {
    var losses = [Double](repeating: 0, count: predictions.count)
    losses.withUnsafeMutableBufferPointer { out in
      let out = out
      context.parallelFor(predictions.count) { _, range in
        for k in range {
          let (row, target) = predictions[k]
          out[k] = nextTokenCrossEntropy(
            UnsafeBufferPointer(rebasing: logits[(row * vocabulary)..<((row + 1) * vocabulary)]), target: target)
        }
      }
    }
    for loss in losses { total += loss }
    count += predictions.count
  }
}
