import HookPoints
import TensorCore

/// Rows of one or more hooks for the same tokens, as ``FeatureBatches`` yields them.
///
/// Row `i` of every matrix in ``values`` and entry `i` of every index array describe the same
/// token, so two hooks read together are aligned pairs (a transcoder's `mlp_in` input and
/// `mlp_out` target of one layer).
public struct FeatureBatch: Sendable, Equatable {
  /// The hooks, in the order they were requested.
  public var hooks: [HookRecord]
  /// One `[rows, width]` matrix per hook, in the order of ``hooks``, converted to `Float`.
  public var values: [Matrix]
  /// `[rows]`: the token at each row.
  public var tokenIDs: [Int32]
  /// `[rows]`: ordinal of each row's document in its corpus (per directory: two directories
  /// may both hold a document 0).
  public var documentIndex: [Int64]
  /// `[rows]`: position of each row in its context window.
  public var positions: [Int32]

  /// Creates a batch; the arrays must agree on the row count.
  public init(hooks: [HookRecord], values: [Matrix], tokenIDs: [Int32], documentIndex: [Int64], positions: [Int32]) {
    precondition(
      hooks.count == values.count && values.allSatisfy { $0.rows == tokenIDs.count }
        && documentIndex.count == tokenIDs.count && positions.count == tokenIDs.count,
      "FeatureBatch arrays disagree on the row count")
    self.hooks = hooks
    self.values = values
    self.tokenIDs = tokenIDs
    self.documentIndex = documentIndex
    self.positions = positions
  }

  /// Number of rows (tokens).
  public var rows: Int { tokenIDs.count }

  /// The `[rows, width]` values of `point`, or `nil` if it was not requested.
  public func values(of point: HookPoint) -> Matrix? {
    hooks.firstIndex { $0.name == point.name }.map { values[$0] }
  }
}
