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

/// Receives activations at named points of a forward pass. The extension point for
/// recorders, extractors and online statistics.
public protocol ForwardHook {
  /// The points this hook reads. The engine computes only as far as the last of them
  /// (no LM head unless `.logits` is asked for).
  var points: Set<HookPoint> { get }
  /// Called once per requested point, in execution order.
  ///
  /// - Throws: anything; the forward pass stops and rethrows it.
  mutating func visit(_ point: HookPoint, _ activations: ActivationView) throws
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
