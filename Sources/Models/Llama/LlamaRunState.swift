import TensorCore

/// Every buffer one forward pass needs, allocated once and grown only when a larger batch
/// arrives, so ``LlamaModel/forward(batch:state:hooks:)`` allocates nothing in steady state.
///
/// Legend: `T` = tokens in the batch (all sequences packed), `d` = hidden size,
/// `q` = heads·headDim, `kv` = kvHeads·headDim, `f` = intermediate size, `S` = longest sequence.
public final class LlamaRunState {
  let configuration: LlamaConfiguration
  /// Token capacity `T`.
  public private(set) var tokenCapacity = 0
  /// Longest sequence the score buffer and rotary tables cover, `S`.
  public private(set) var sequenceCapacity = 0
  var residual: [Float] = []  // [T, d]
  var normed: [Float] = []  // [T, d]
  var query: [Float] = []  // [T, q]
  var key: [Float] = []  // [T, kv]
  var value: [Float] = []  // [T, kv]
  var attention: [Float] = []  // [T, q], heads' outputs before o_proj
  var blockOutput: [Float] = []  // [T, d], attn_out then mlp_out
  var gate: [Float] = []  // [T, f]
  var up: [Float] = []  // [T, f]
  var scores: [Float] = []  // [workers, S, S], one score matrix per attention worker
  var positions: [Int32] = []  // [T]
  var logits: [Float] = []  // [T, vocab], allocated on first use
  var rotary: RotaryTable

  /// Creates an empty state; buffers are allocated by the first forward pass.
  public init(configuration: LlamaConfiguration) {
    self.configuration = configuration
    rotary = RotaryTable(inverseFrequencies: configuration.inverseFrequencies(), positions: 0)
  }

  /// Number of attention workers the score buffer is sized for.
  public private(set) var workerCapacity = 0

  /// Ensures room for `tokens` packed tokens whose longest sequence is `longest`.
  func reserve(tokens: Int, longest: Int, workers: Int) {
    let c = configuration
    if tokens > tokenCapacity {
      residual = [Float](repeating: 0, count: tokens * c.hiddenSize)
      normed = residual
      blockOutput = residual
      query = [Float](repeating: 0, count: tokens * c.queryWidth)
      attention = query
      key = [Float](repeating: 0, count: tokens * c.keyValueWidth)
      value = key
      gate = [Float](repeating: 0, count: tokens * c.intermediateSize)
      up = gate
      positions = [Int32](repeating: 0, count: tokens)
      if !logits.isEmpty { logits = [Float](repeating: 0, count: tokens * c.vocabularySize) }
      tokenCapacity = tokens
    }
    if longest > sequenceCapacity || workers > workerCapacity {
      sequenceCapacity = max(longest, sequenceCapacity)
      workerCapacity = max(workers, workerCapacity)
      scores = [Float](repeating: 0, count: workerCapacity * sequenceCapacity * sequenceCapacity)
      rotary.grow(to: sequenceCapacity)
    }
  }

  func reserveLogits() {
    let count = tokenCapacity * configuration.vocabularySize
    if logits.count < count { logits = [Float](repeating: 0, count: count) }
  }
}
