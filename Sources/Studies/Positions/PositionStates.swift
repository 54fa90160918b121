import Foundation
import HookPoints
import Models
import TensorCore

/// One state of a position group: the token at `position` of document `document` (its index in
/// the study's windows).
public struct PositionRow: Codable, Sendable, Hashable {
  public var document: Int
  public var position: Int

  public init(document: Int, position: Int) {
    self.document = document
    self.position = position
  }
}

/// The hidden states of a position study, grouped by token position: for every group, the states
/// at its positions in every document's window, at each hook point.
///
/// The windows run in packed batches of at most `batchTokens` tokens (a longer window runs
/// alone); only the planned rows are copied out, so memory is `O(points × Σ rows × d)`.
public struct PositionStates: Sendable {
  /// Per group, the states it holds, sorted by document then position.
  public var rows: [[PositionRow]]
  /// Per point, per group, `[rows.count, d]`: row `i` is the state of `rows[group][i]`.
  public var states: [HookPoint: [Matrix]]

  /// Which states each group holds: every `(document, position)` with the position in the group
  /// and inside the document's window (`windowLengths[document]` tokens). A group with more than
  /// `rowsPerGroup` of them keeps a seeded sample of that many (stream: the group's first
  /// position), so groups do not depend on each other and a run is reproducible.
  ///
  /// - Complexity: `O(documents × positions)`.
  public static func plan(windowLengths: [Int], groups: [PositionGroup], rowsPerGroup: Int, seed: UInt64)
    -> [[PositionRow]]
  {
    precondition(rowsPerGroup >= 1, "a group keeps at least one row")
    return groups.map { group in
      var candidates: [PositionRow] = []
      for (d, length) in windowLengths.enumerated() {
        for p in group.positions where p < length { candidates.append(PositionRow(document: d, position: p)) }
      }
      guard candidates.count > rowsPerGroup else { return candidates }
      var random = SeededRandom(seed: seed, stream: UInt64(group.first))
      let chosen = random.permutation(candidates.count).prefix(rowsPerGroup).sorted()
      return chosen.map { candidates[$0] }
    }
  }

  /// Runs `model` over `windows` and keeps the states of `rows` (from
  /// ``plan(windowLengths:groups:rowsPerGroup:seed:)``) at `points`.
  ///
  /// - Parameters:
  ///   - windows: token ids per document (non-empty), each run as its own sequence from position 0.
  ///   - progress: documents done so far, after each batch.
  /// - Throws: ``ForwardError`` (an empty window, an out-of-vocabulary id, a window past the
  ///   model's positions).
  public init(
    model: LlamaModel, windows: [[Int32]], rows: [[PositionRow]], points: [HookPoint], batchTokens: Int = 4096,
    context: ComputeContext, progress: (Int) -> Void = { _ in }
  ) throws {
    let d = model.configuration.hiddenSize
    // Where each document's planned states go: (position, group, index in the group).
    var targets = [[(position: Int, group: Int, index: Int)]](repeating: [], count: windows.count)
    for (g, groupRows) in rows.enumerated() {
      for (i, row) in groupRows.enumerated() {
        precondition(row.position < windows[row.document].count, "a planned row lies outside its window")
        targets[row.document].append((row.position, g, i))
      }
    }
    var recorder = PositionRowRecorder(
      points: points, width: d, values: points.map { _ in rows.map { [Float](repeating: 0, count: $0.count * d) } })
    let state = LlamaRunState(configuration: model.configuration)
    var start = 0
    while start < windows.count {
      var end = start
      var tokens = 0
      while end < windows.count, end == start || tokens + windows[end].count <= batchTokens {
        tokens += windows[end].count
        end += 1
      }
      guard windows[start..<end].allSatisfy({ !$0.isEmpty }) else { throw ForwardError.emptyBatch }
      recorder.targets = []
      var offset = 0
      for document in start..<end {
        for t in targets[document] { recorder.targets.append((offset + t.position, t.group, t.index)) }
        offset += windows[document].count
      }
      try model.forward(batch: Array(windows[start..<end]), state: state, hooks: &recorder, context: context)
      start = end
      progress(start)
    }
    self.rows = rows
    states = [:]
    for (k, point) in points.enumerated() {
      states[point] = zip(rows, recorder.values[k]).map { Matrix(rows: $0.count, columns: d, values: $1) }
    }
  }
}

/// Copies planned rows of a batch into per-point, per-group buffers.
struct PositionRowRecorder: ForwardHook {
  let points: Set<HookPoint>
  let slots: [HookPoint: Int]
  let width: Int
  /// `[point][group]`: `[rows, width]` row-major.
  var values: [[[Float]]]
  /// This batch's rows to copy: packed row, group, index in the group.
  var targets: [(row: Int, group: Int, index: Int)] = []

  init(points: [HookPoint], width: Int, values: [[[Float]]]) {
    self.points = Set(points)
    self.slots = Dictionary(uniqueKeysWithValues: points.enumerated().map { ($1, $0) })
    self.width = width
    self.values = values
  }

  mutating func visit(_ point: HookPoint, _ activations: ActivationView) throws {
    guard let k = slots[point] else { return }
    let width = width
    for t in targets {
      let source = activations.row(t.row)
      values[k][t.group].withUnsafeMutableBufferPointer { out in
        let target = out.baseAddress! + t.index * width
        for i in 0..<width { target[i] = source[i] }
      }
    }
  }
}
