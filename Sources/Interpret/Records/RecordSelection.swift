import Foundation
import TensorCore

/// One occurrence of a feature among a token's top-k: where the token is and how it scored.
public struct ActivationRecord: Sendable, Equatable, Hashable {
  /// Index of the document (its line in `documents.jsonl`).
  public var document: Int
  /// Token position in the document's window (0 is BOS when the window has one).
  public var position: Int
  /// The feature's score at the token (see ``RecordScoring``).
  public var score: Float

  public init(document: Int, position: Int, score: Float) {
    self.document = document
    self.position = position
    self.score = score
  }
}

/// Chooses, for every token, the features it is recorded for (`bae-method.md` §8, "Assignment").
public enum RecordSelection {
  /// Scores every token's features, takes the top `topK` (equal scores to the lower index) and
  /// appends a record of the token to each chosen feature's list, in corpus order (not sorted by
  /// score).
  ///
  /// - Parameters:
  ///   - documentLengths: tokens per document, in corpus order; token rows of `codes` follow
  ///     the same order.
  ///   - width: features `m`.
  ///   - codes: every token's codes (needed by all scorings but `random`; bits for
  ///     `minority_state`).
  ///   - seed: the `random` scoring's stream.
  ///   - progress: tokens done so far, now and then.
  /// - Returns: per feature, its records.
  /// - Complexity: `O(n·m)` time for `n` tokens, `O(n·k)` records.
  public static func select(
    documentLengths: [Int], width: Int, topK: Int, scoring: RecordScoring, codes: CodeTable?, seed: UInt64 = 0,
    progress: (Int) -> Void = { _ in }
  ) -> [[ActivationRecord]] {
    let m = width
    if scoring.needsCodes {
      precondition(codes != nil && codes!.width == m, "scoring \(scoring.rawValue) needs codes of width \(m)")
      precondition(scoring != .minorityState || codes!.binary, "minority-state scores need bits")
      precondition(codes!.rows == documentLengths.reduce(0, +), "one code row per token")
    }
    let eps = RecordScoring.epsilon
    var ifOne = [Double](repeating: 0, count: m)
    var ifZero = [Double](repeating: 0, count: m)
    var mean = [Double](repeating: 0, count: m)
    var spread = [Double](repeating: 1, count: m)
    if let codes {
      for j in 0..<m {
        let p = codes.mean(j)
        ifOne[j] = log2(abs(1 - p) + eps)
        ifZero[j] = log2(abs(0 - p) + eps)
        mean[j] = p
        spread[j] = codes.standardDeviation(j) + eps
      }
    }
    var random = SeededRandom(seed: seed)
    var records = [[ActivationRecord]](repeating: [], count: m)
    var values = [Double](repeating: 0, count: m)
    var scores = [Double](repeating: 0, count: m)
    var row = 0
    for (document, length) in documentLengths.enumerated() {
      for position in 0..<length {
        switch scoring {
        case .random:
          for j in 0..<m { scores[j] = random.normal() }
        case .activation:
          codes!.codes(row: row, into: &scores)
        case .standardized:
          codes!.codes(row: row, into: &values)
          for j in 0..<m { scores[j] = (values[j] - mean[j]) / spread[j] }
        case .minorityState:
          codes!.codes(row: row, into: &values)
          for j in 0..<m { scores[j] = values[j] != 0 ? ifOne[j] : ifZero[j] }
        }
        for j in topFeatures(scores, k: topK) {
          records[j].append(ActivationRecord(document: document, position: position, score: Float(scores[j])))
        }
        row += 1
        if row % 4096 == 0 { progress(row) }
      }
    }
    progress(row)
    return records
  }
}
