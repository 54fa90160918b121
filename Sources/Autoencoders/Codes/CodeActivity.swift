/// Which codes are dead and which are dense: the one definition, used by training metrics
/// (`metrics.jsonl`) and by evaluation (`bae eval`).
///
/// For code `j` over `n` rows, let `a_j` be the rows where it is active (an SAE code ≠ 0; a BAE
/// bit = 1) and `p_j = a_j / n` its firing rate.
///
/// - **Dead**: an SAE code that is never active (`a_j = 0`); a BAE bit that never changes, 0 on
///   every row or 1 on every row (`a_j = 0` or `a_j = n`): it carries no information either way.
/// - **Dense**: `p_j > threshold`. SAEs use 0.1 by default (active on more than a tenth of the
///   rows). A BAE bit is judged in its *minority-state view*: the informative state of a bit is
///   the rarer one, and 0.5 by default marks the bits whose rarer state is 0, i.e. that are 1 on
///   more than half of the rows (`p_j > 0.5`). A lower BAE threshold (say 0.3) also counts bits
///   that are 1 often without being in the majority.
public struct CodeActivity: Sendable, Equatable, Codable {
  /// SAE default: dense when active on more than 10% of rows.
  public static let defaultSparseDenseThreshold = 0.1
  /// BAE default: dense when 1 on more than half of the rows (the 1 state is the majority).
  public static let defaultBinaryDenseThreshold = 0.5

  /// Whether the codes are bits (a BAE), which changes what dead means.
  public var binary: Bool
  /// Firing rate above which a code is dense.
  public var denseThreshold: Double

  /// The definitions for binary or sparse codes, with the default dense threshold unless one
  /// is given.
  public init(binary: Bool, denseThreshold: Double? = nil) {
    self.binary = binary
    self.denseThreshold =
      denseThreshold ?? (binary ? Self.defaultBinaryDenseThreshold : Self.defaultSparseDenseThreshold)
  }

  /// Whether a code active on `active` of `rows` rows is dead.
  public func isDead(active: Int, rows: Int) -> Bool {
    binary ? (active == 0 || active == rows) : active == 0
  }

  /// Whether a code active on `active` of `rows` rows is dense (`active / rows > threshold`;
  /// never over no rows).
  public func isDense(active: Int, rows: Int) -> Bool {
    rows > 0 && Double(active) / Double(rows) > denseThreshold
  }

  /// Indices of the dead codes, given each code's active rows over `rows` rows.
  public func deadCodes(active: [Int], rows: Int) -> [Int] {
    active.indices.filter { isDead(active: active[$0], rows: rows) }
  }

  /// Indices of the dense codes, given each code's active rows over `rows` rows.
  public func denseCodes(active: [Int], rows: Int) -> [Int] {
    active.indices.filter { isDense(active: active[$0], rows: rows) }
  }

  /// Checks the threshold is a rate.
  ///
  /// - Throws: ``AutoencoderError/invalidConfiguration(key:reason:)`` (key `denseThreshold`)
  ///   for a threshold outside `0…1`.
  public func validate() throws(AutoencoderError) {
    guard denseThreshold >= 0, denseThreshold <= 1 else {
      throw .invalidConfiguration(key: "denseThreshold", reason: "must be a firing rate in 0…1, got \(denseThreshold)")
    }
  }
}
