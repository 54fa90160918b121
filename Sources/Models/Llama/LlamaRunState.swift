import TensorCore

/// Every buffer one forward pass needs, allocated once and grown only when a larger batch
/// arrives, so ``LlamaModel/forward(batch:state:hooks:context:)`` allocates nothing in steady
/// state. The state owns its memory (``Buffer``), so the engine holds plain pointers for the
/// whole pass.
///
/// One state serves one pass at a time; give each concurrent pass its own.
///
/// Legend: `T` = tokens in the batch (all sequences packed), `d` = hidden size,
/// `q` = heads·headDim, `kv` = kvHeads·headDim, `f` = intermediate size, `S` = longest sequence,
/// `W` = attention workers.
public final class LlamaRunState {
  let configuration: LlamaConfiguration
  /// Token capacity `T`.
  public private(set) var tokenCapacity = 0
  /// Longest sequence the score buffer and rotary tables cover, `S`.
  public private(set) var sequenceCapacity = 0
  /// Number of attention workers the score buffer is sized for, `W`.
  public private(set) var workerCapacity = 0
  let residual = Buffer<Float>(count: 0, repeating: 0)  // [T, d]
  let normed = Buffer<Float>(count: 0, repeating: 0)  // [T, d]
  let query = Buffer<Float>(count: 0, repeating: 0)  // [T, q]
  let key = Buffer<Float>(count: 0, repeating: 0)  // [T, kv]
  let value = Buffer<Float>(count: 0, repeating: 0)  // [T, kv]
  let attention = Buffer<Float>(count: 0, repeating: 0)  // [T, q], heads' outputs before o_proj
  let blockOutput = Buffer<Float>(count: 0, repeating: 0)  // [T, d], attn_out then mlp_out
  let gate = Buffer<Float>(count: 0, repeating: 0)  // [T, f]
  let up = Buffer<Float>(count: 0, repeating: 0)  // [T, f]
  let scores = Buffer<Float>(count: 0, repeating: 0)  // [W, S, S], one score matrix per attention worker
  let positions = Buffer<Int32>(count: 0, repeating: 0)  // [T]
  let logits = Buffer<Float>(count: 0, repeating: 0)  // [T, vocab], allocated on first use
  var rotary: RotaryTable
  /// bf16 products and their cached primitives, created by the first bf16 pass.
  private var bfloat16Products: BFloat16GEMM?
  /// The bf16 kernel of the current pass (its context's ``ComputeContext/bfloat16Kernel``).
  var bfloat16Kernel = BFloat16Kernel.automatic

  /// Creates an empty state; buffers are allocated by the first forward pass.
  public init(configuration: LlamaConfiguration) {
    self.configuration = configuration
    rotary = RotaryTable(inverseFrequencies: configuration.inverseFrequencies(), positions: 0)
  }

  /// Ensures room for `tokens` packed tokens whose longest sequence is `longest`.
  func reserve(tokens: Int, longest: Int, workers: Int) {
    let c = configuration
    if tokens > tokenCapacity {
      for buffer in [residual, normed, blockOutput] { buffer.grow(to: tokens * c.hiddenSize, repeating: 0) }
      for buffer in [query, attention] { buffer.grow(to: tokens * c.queryWidth, repeating: 0) }
      for buffer in [key, value] { buffer.grow(to: tokens * c.keyValueWidth, repeating: 0) }
      for buffer in [gate, up] { buffer.grow(to: tokens * c.intermediateSize, repeating: 0) }
      positions.grow(to: tokens, repeating: 0)
      tokenCapacity = tokens
      if logits.count > 0 { reserveLogits() }
    }
    if longest > sequenceCapacity || workers > workerCapacity {
      sequenceCapacity = max(longest, sequenceCapacity)
      workerCapacity = max(workers, workerCapacity)
      scores.grow(to: workerCapacity * sequenceCapacity * sequenceCapacity, repeating: 0)
      rotary.grow(to: sequenceCapacity)
    }
  }

  /// The bf16 product kernels of this state (one per state, so concurrent passes share nothing).
  func bfloat16GEMM() throws(MatmulError) -> BFloat16GEMM {
    if let existing = bfloat16Products { return existing }
    let created = try BFloat16GEMM()
    bfloat16Products = created
    return created
  }

  func reserveLogits() {
    logits.grow(to: tokenCapacity * configuration.vocabularySize, repeating: 0)
  }
}
