import Foundation
import HookPoints
import Models
import TensorCore

/// The hidden states of each prompt's last token at chosen points, and the logits of chosen
/// candidate tokens there: what an in-context-learning study reads from a model.
///
/// Prompts run in packed batches of at most `batchTokens` tokens (a longer prompt runs alone);
/// only the last row of each sequence is kept, so memory is `O(prompts × points × d)`. Candidate
/// logits are the LM head's rows for the candidates applied to the final norm of the last token
/// (the same dot products as the full logits, without the `[tokens, vocab]` product).
public struct LastTokenStates: Sendable {
  /// `[prompts, d]` per point.
  public var states: [HookPoint: Matrix]
  /// `[prompts, candidates]`: logit of candidate `c` of prompt `p` (empty without candidates).
  public var candidateLogits: Matrix

  /// Runs `model` over `prompts`.
  ///
  /// - Parameters:
  ///   - prompts: token ids per prompt (non-empty).
  ///   - points: where to read the last token's state.
  ///   - candidates: token ids whose logits to compute at every prompt's last token (may be empty).
  ///   - progress: prompts done so far, after each batch.
  /// - Throws: ``ForwardError`` for an empty prompt or an out-of-vocabulary id.
  public init(
    model: LlamaModel, prompts: [[Int32]], points: [HookPoint], candidates: [Int32], batchTokens: Int = 4096,
    context: ComputeContext, progress: (Int) -> Void = { _ in }
  ) throws {
    let c = model.configuration
    let d = c.hiddenSize
    var recorder = LastRowRecorder(points: Set(points).union(candidates.isEmpty ? [] : [.finalNorm]))
    let n = prompts.count
    for point in recorder.points { recorder.rows[point] = [Float](repeating: 0, count: n * d) }
    let state = LlamaRunState(configuration: c)
    var start = 0
    while start < n {
      var end = start
      var tokens = 0
      while end < n, end == start || tokens + prompts[end].count <= batchTokens {
        tokens += prompts[end].count
        end += 1
      }
      guard prompts[start..<end].allSatisfy({ !$0.isEmpty }) else { throw ForwardError.emptyBatch }
      recorder.offset = start
      try model.forward(batch: Array(prompts[start..<end]), state: state, hooks: &recorder, context: context)
      start = end
      progress(start)
    }
    states = [:]
    for point in points { states[point] = Matrix(rows: n, columns: d, values: recorder.rows[point]!) }
    guard !candidates.isEmpty else {
      candidateLogits = Matrix(rows: n, columns: 0, values: [])
      return
    }
    for token in candidates where token < 0 || Int(token) >= c.vocabularySize {
      throw ForwardError.tokenOutOfRange(sequence: 0, position: 0, token: token, vocabularySize: c.vocabularySize)
    }
    let normed = recorder.rows[.finalNorm]!
    let head = model.weights.lmHead ?? model.weights.tokenEmbedding
    var logits = [Float](repeating: 0, count: n * candidates.count)
    for p in 0..<n {
      for (j, token) in candidates.enumerated() {
        var sum: Float = 0
        let w = Int(token) * d
        for i in 0..<d { sum += normed[p * d + i] * head[w + i] }
        logits[p * candidates.count + j] = sum
      }
    }
    candidateLogits = Matrix(rows: n, columns: candidates.count, values: logits)
  }
}

/// Copies the last row of every sequence at each point into `rows[point]` at `offset + s`.
struct LastRowRecorder: ForwardHook {
  let points: Set<HookPoint>
  var rows: [HookPoint: [Float]] = [:]
  var offset = 0

  mutating func visit(_ point: HookPoint, _ activations: ActivationView) throws {
    let width = activations.width
    rows[point]!.withUnsafeMutableBufferPointer { out in
      for (s, range) in activations.sequences.enumerated() {
        let last = activations.row(range.upperBound - 1)
        let target = out.baseAddress! + (offset + s) * width
        for i in 0..<width { target[i] = last[i] }
      }
    }
  }
}
