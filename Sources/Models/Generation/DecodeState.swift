import TensorCore

/// Every buffer an incremental decoding pass needs (``LlamaModel/decode(_:state:context:)``),
/// allocated once and grown only when a larger step arrives; the keys and values themselves live
/// in each sequence's ``KVCache``.
///
/// One state serves one pass at a time; give each concurrent pass its own.
///
/// Legend: `T` = new tokens in the step (all sequences packed), `B` = sequences in the step,
/// `d` = hidden size, `q` = heads·headDim, `kv` = kvHeads·headDim, `f` = intermediate size,
/// `R` = query rows per attention block, `S` = longest cache, `W` = attention workers.
public final class DecodeState {
  let configuration: LlamaConfiguration
  /// Token capacity `T`.
  public private(set) var tokenCapacity = 0
  /// Sequence capacity `B` (rows of ``logits``).
  public private(set) var sequenceCapacity = 0
  private(set) var contextCapacity = 0
  private(set) var workerCapacity = 0
  let residual = Buffer<Float>(count: 0, repeating: 0)  // [T, d]
  let normed = Buffer<Float>(count: 0, repeating: 0)  // [T, d]
  let query = Buffer<Float>(count: 0, repeating: 0)  // [T, q]
  let key = Buffer<Float>(count: 0, repeating: 0)  // [T, kv]
  let value = Buffer<Float>(count: 0, repeating: 0)  // [T, kv]
  let attention = Buffer<Float>(count: 0, repeating: 0)  // [T, q]
  let blockOutput = Buffer<Float>(count: 0, repeating: 0)  // [T, d]
  let gate = Buffer<Float>(count: 0, repeating: 0)  // [T, f]
  let up = Buffer<Float>(count: 0, repeating: 0)  // [T, f]
  let scores = Buffer<Float>(count: 0, repeating: 0)  // [W, R, S]
  let positions = Buffer<Int32>(count: 0, repeating: 0)  // [T]
  let lastNormed = Buffer<Float>(count: 0, repeating: 0)  // [B, d]
  let logits = Buffer<Float>(count: 0, repeating: 0)  // [B, vocab]
  var rotary: RotaryTable
  /// bf16 products and their cached primitives, created by the first bf16 step.
  private var bfloat16Products: BFloat16GEMM?
  /// The bf16 kernel of the current step (its context's ``ComputeContext/bfloat16Kernel``).
  var bfloat16Kernel = BFloat16Kernel.automatic

  /// The bf16 product kernels of this state (one per state, so concurrent steps share nothing).
  func bfloat16GEMM() throws(MatmulError) -> BFloat16GEMM {
    if let existing = bfloat16Products { return existing }
    let created = try BFloat16GEMM()
    bfloat16Products = created
    return created
  }

  /// Creates an empty state; buffers are allocated by the first step.
  public init(configuration: LlamaConfiguration) {
    self.configuration = configuration
    rotary = RotaryTable(inverseFrequencies: configuration.inverseFrequencies(), positions: 0)
  }

  /// The logits of the last new token of sequence `b` of the latest step, `[vocab]`; valid until
  /// the next step.
  public func logits(sequence b: Int) -> UnsafeBufferPointer<Float> {
    precondition(b >= 0 && b < sequenceCapacity, "sequence index out of range")
    let v = configuration.vocabularySize
    return UnsafeBufferPointer(start: logits.pointer + b * v, count: v)
  }

  /// Ensures room for a step of `tokens` packed tokens from `sequences` sequences whose caches
  /// reach `context` positions.
  func reserve(tokens: Int, sequences: Int, context: Int, workers: Int) {
    let c = configuration
    if tokens > tokenCapacity {
      for buffer in [residual, normed, blockOutput] { buffer.grow(to: tokens * c.hiddenSize, repeating: 0) }
      for buffer in [query, attention] { buffer.grow(to: tokens * c.queryWidth, repeating: 0) }
      for buffer in [key, value] { buffer.grow(to: tokens * c.keyValueWidth, repeating: 0) }
      for buffer in [gate, up] { buffer.grow(to: tokens * c.intermediateSize, repeating: 0) }
      positions.grow(to: tokens, repeating: 0)
      tokenCapacity = tokens
    }
    if sequences > sequenceCapacity {
      lastNormed.grow(to: sequences * c.hiddenSize, repeating: 0)
      logits.grow(to: sequences * c.vocabularySize, repeating: 0)
      sequenceCapacity = sequences
    }
    if context > contextCapacity || workers > workerCapacity {
      contextCapacity = max(context, contextCapacity)
      workerCapacity = max(workers, workerCapacity)
      scores.grow(to: workerCapacity * LlamaModel.attentionBlockRows * contextCapacity, repeating: 0)
      rotary.grow(to: contextCapacity)
    }
  }
}
