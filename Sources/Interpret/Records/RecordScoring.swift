import Foundation

/// How a token's features are scored before its top-k are chosen (`bae-method.md` §8).
///
/// | scoring | score of feature `j` at a token with code `h` |
/// | --- | --- |
/// | `minority_state` (BAE) | `log2(|h_j − p_j| + 1e-6)`, `p_j` the mean bit over all tokens: `log2(1 − p_j)` when the bit is 1, `log2(p_j)` when it is 0, so a token scores high where it is in the feature's rarer state |
/// | `activation` (SAE, transcoder) | `h_j` |
/// | `standardized` (SAE, transcoder) | `(h_j − mean_j) / (std_j + 1e-6)`, population statistics over all tokens |
/// | `random` (chance baseline) | a standard normal draw, from one ``SeededRandom`` stream in corpus order |
public enum RecordScoring: String, Codable, Sendable, CaseIterable {
  case minorityState = "minority_state"
  case activation
  case standardized
  case random

  /// Whether scores come from an autoencoder's codes (all but `random`).
  public var needsCodes: Bool { self != .random }

  /// The small constant of the reference's scores, inside the logarithm and under the spread.
  public static let epsilon = 1e-6
}

/// The `k` indices of the largest scores, largest first; equal scores go to the lower index
/// (as a stable sort by descending score does).
///
/// - Complexity: `O(m·k)` in the worst case, `O(m)` when few scores beat the k-th.
public func topFeatures(_ scores: UnsafeBufferPointer<Double>, k: Int) -> [Int] {
  let k = min(k, scores.count)
  guard k > 0 else { return [] }
  var chosen: [Int] = []
  chosen.reserveCapacity(k + 1)
  for j in 0..<scores.count {
    let s = scores[j]
    if chosen.count == k {
      // Only a strictly larger score displaces: an equal one comes later, so it ranks lower.
      guard s > scores[chosen[k - 1]] else { continue }
      chosen.removeLast()
    }
    var i = chosen.count
    while i > 0, scores[chosen[i - 1]] < s { i -= 1 }
    chosen.insert(j, at: i)
  }
  return chosen
}

/// The `k` indices of the largest of `scores` (see the buffer form).
public func topFeatures(_ scores: [Double], k: Int) -> [Int] {
  scores.withUnsafeBufferPointer { topFeatures($0, k: k) }
}
