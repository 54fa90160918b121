/// A set of token positions whose states are pooled into one set for one BAE: a single position
/// (`first == last`), as the paper's per-position study, or a range.
///
/// A study's groups are in increasing order and do not overlap, so each is named by its
/// ``first`` position (the `group` of its ``EntropyTraceCell``s and the x value of its points).
public struct PositionGroup: Codable, Sendable, Hashable, CustomStringConvertible {
  /// The first position (0: a document's first token, BOS where one is inserted).
  public var first: Int
  /// The last position, included.
  public var last: Int

  /// The group `first…last`.
  ///
  /// - Precondition: `0 ≤ first ≤ last`.
  public init(_ first: Int, _ last: Int) {
    precondition(first >= 0 && first <= last, "a position group needs 0 ≤ first ≤ last, got \(first)…\(last)")
    self.first = first
    self.last = last
  }

  /// The single position `position`.
  public init(_ position: Int) { self.init(position, position) }

  enum CodingKeys: String, CodingKey { case first, last }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    first = try c.decode(Int.self, forKey: .first)
    last = try c.decode(Int.self, forKey: .last)
    guard first >= 0, first <= last else {
      throw DecodingError.dataCorruptedError(
        forKey: .last, in: c, debugDescription: "a position group needs 0 ≤ first ≤ last, got \(first)…\(last)")
    }
  }

  /// The positions of the group.
  public var positions: ClosedRange<Int> { first...last }

  /// `7` for a single position, `8-15` for a range (the spelling `--positions` reads).
  public var description: String { first == last ? "\(first)" : "\(first)-\(last)" }

  /// Single positions 0, 1, 2, 4, 8, … (powers of two) below `context`, then the last position
  /// of the window, `context − 1`: dense where the paper's curves rise, sparse where they
  /// saturate.
  ///
  /// - Precondition: `context ≥ 1`.
  public static func powersOfTwo(context: Int) -> [PositionGroup] {
    precondition(context >= 1, "a context of at least one token")
    var positions = [0]
    var p = 1
    while p < context {
      positions.append(p)
      p *= 2
    }
    if positions.last! != context - 1 { positions.append(context - 1) }
    return positions.map { PositionGroup($0) }
  }
}
