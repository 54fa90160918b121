import HookPoints

/// A read-only view of one hook point's activations for the whole batch.
///
/// Rows are the batch's tokens, packed sequence after sequence (see ``LlamaModel``); the view
/// points into the engine's run state and is valid only during ``ForwardHook/visit(_:_:)``.
public struct ActivationView {
  /// `[rows, width]`, row-major.
  public let values: UnsafeBufferPointer<Float>
  /// Number of token rows.
  public let rows: Int
  /// Values per row (`d`, `vocab`, …).
  public let width: Int
  /// Row range of each sequence of the batch.
  public let sequences: [Range<Int>]

  /// The values of one row.
  public func row(_ r: Int) -> UnsafeBufferPointer<Float> {
    UnsafeBufferPointer(rebasing: values[(r * width)..<((r + 1) * width)])
  }
}

/// A writable view of one hook point's activations for the whole batch: the buffer the rest of
/// the forward pass reads, valid only during ``ForwardHook/edit(_:_:)``.
///
/// Whatever the hook leaves in ``values`` is what every later step of the pass computes from
/// (see ``ForwardHook/editedPoints`` for what replacing each point means).
public struct MutableActivationView {
  /// `[rows, width]`, row-major; holds the engine's values on entry.
  public let values: UnsafeMutableBufferPointer<Float>
  /// Number of token rows.
  public let rows: Int
  /// Values per row (`d`, `vocab`, …).
  public let width: Int
  /// Row range of each sequence of the batch.
  public let sequences: [Range<Int>]

  /// The values of one row, writable.
  public func row(_ r: Int) -> UnsafeMutableBufferPointer<Float> {
    UnsafeMutableBufferPointer(rebasing: values[(r * width)..<((r + 1) * width)])
  }

  /// The same values, read-only.
  public var readOnly: ActivationView {
    ActivationView(values: UnsafeBufferPointer(values), rows: rows, width: width, sequences: sequences)
  }
}

/// Receives activations at named points of a forward pass, and may replace some of them. The
/// extension point for recorders, extractors, online statistics and interventions (splicing an
/// autoencoder's reconstruction into the residual stream, ablations).
///
/// A hook that only reads implements ``points`` and ``visit(_:_:)``; ``editedPoints`` and
/// ``edit(_:_:)`` default to none and a no-op.
public protocol ForwardHook {
  /// The points this hook reads. The engine computes only as far as the last of them and of
  /// ``editedPoints`` (no LM head unless `.logits` is asked for).
  var points: Set<HookPoint> { get }
  /// Called once per point of ``points``, in execution order; at a point that is also edited,
  /// after ``edit(_:_:)``, so it sees the values the rest of the pass reads.
  ///
  /// - Throws: anything; the forward pass stops and rethrows it.
  mutating func visit(_ point: HookPoint, _ activations: ActivationView) throws

  /// The points this hook may replace. Every point can be edited; what the rest of the pass
  /// then reads:
  ///
  /// | point | replacing it means |
  /// |---|---|
  /// | `resid_pre` L | the residual stream entering block L (the embeddings for L = 0); it is the same buffer as `resid_post` L−1 |
  /// | `attn_out` L | the attention block's output, before it is added to the residual stream |
  /// | `resid_mid` L | the residual stream between attention and MLP: the MLP's RMSNorm reads it and `resid_post` = it + `mlp_out` |
  /// | `ln2.hook_normalized` L | the MLP's input only (the residual stream is unchanged) |
  /// | `mlp_out` L | the MLP's output, before it is added to the residual stream |
  /// | `resid_post` L | the residual stream leaving block L: block L+1 (or the final norm) reads it |
  /// | `ln_final.hook_normalized` | the LM head's input |
  /// | `logits` | the logits themselves (only later readers of the point see the change) |
  ///
  /// Points earlier in the pass are unaffected; every later point is computed from the edit.
  var editedPoints: Set<HookPoint> { get }
  /// Called once per point of ``editedPoints``, in execution order, with the engine's values
  /// in `activations`; what the hook leaves there replaces them.
  ///
  /// - Throws: anything; the forward pass stops and rethrows it.
  mutating func edit(_ point: HookPoint, _ activations: MutableActivationView) throws
}

extension ForwardHook {
  /// A read-only hook edits nothing.
  public var editedPoints: Set<HookPoint> { [] }
  /// A read-only hook leaves the values as they are.
  public mutating func edit(_ point: HookPoint, _ activations: MutableActivationView) throws {}
}

/// A hook that copies the requested points into arrays (for tests, `bae forward`, and small runs).
public struct ActivationRecorder: ForwardHook {
  public let points: Set<HookPoint>
  /// Recorded activations per point, `[rows, width]` row-major.
  public private(set) var values: [HookPoint: [Float]] = [:]
  /// Row width per point.
  public private(set) var widths: [HookPoint: Int] = [:]
  /// Row ranges of the batch's sequences (from the last visit).
  public private(set) var sequences: [Range<Int>] = []

  /// Records `points`.
  public init(_ points: some Sequence<HookPoint>) { self.points = Set(points) }

  public mutating func visit(_ point: HookPoint, _ activations: ActivationView) throws {
    values[point] = Array(activations.values)
    widths[point] = activations.width
    sequences = activations.sequences
  }

  /// The rows of sequence `s` at `point`, `[n, width]`.
  public func values(_ point: HookPoint, sequence s: Int) -> [Float]? {
    guard let all = values[point], let width = widths[point] else { return nil }
    let range = sequences[s]
    return Array(all[(range.lowerBound * width)..<(range.upperBound * width)])
  }
}
