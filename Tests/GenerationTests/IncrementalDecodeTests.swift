import Foundation
import HookPoints
import Models
import TensorCore
import TestSupport
import Testing

/// Incremental decoding (prefill into a KV cache, then one token per step) against the full
/// forward pass over the whole sequence, on the tiny fixture models.
@Suite struct IncrementalDecodeTests {
  /// Bound on `max |incremental − full| / max |full|` over each position's logits. Both paths
  /// use the same kernels; only GEMM shapes differ (last-bit rounding), so 1e-5 is ample.
  static let relativeTolerance: Float = 1e-5

  static let models = ["tiny-llama3-gqa", "tiny-tied-mqa", "tiny-linear-sharded", "tiny-extract"]

  /// Logits of every position of `tokens` from the full forward pass, `[T, vocab]`.
  static func fullLogits(_ model: LlamaModel, _ tokens: [Int32], threads: Int) throws -> [Float] {
    var recorder = ActivationRecorder([HookPoint.logits])
    try model.forward(
      batch: [tokens], state: LlamaRunState(configuration: model.configuration), hooks: &recorder,
      context: ComputeContext(threads: threads))
    return try #require(recorder.values[.logits])
  }

  static func relativeError(_ actual: [Float], _ expected: [Float]) -> Float {
    let scale = expected.map(abs).max() ?? 1
    return maxAbsDiff(actual, expected) / max(scale, 1e-30)
  }

  static func tokens(_ count: Int, vocabulary: Int, seed: UInt64) -> [Int32] {
    var random = SeededRandom(seed: seed)
    return (0..<count).map { _ in Int32(random.integer(below: vocabulary)) }
  }

  @Test(arguments: models, [1, 2])
  func prefillThenStepsMatchFullForward(model name: String, threads: Int) throws {
    let model = try LlamaModel.load(from: Fixtures.model(name))
    let v = model.configuration.vocabularySize
    let sequence = Self.tokens(21, vocabulary: v, seed: 7)
    let full = try Self.fullLogits(model, sequence, threads: threads)
    let cache = KVCache(configuration: model.configuration, capacity: 32)
    let state = DecodeState(configuration: model.configuration)
    let context = ComputeContext(threads: threads)
    let prefill = 6
    try model.decode([DecodeInput(tokens: Array(sequence[..<prefill]), cache: cache)], state: state, context: context)
    var worst: Float = 0
    worst = max(worst, Self.relativeError(Array(state.logits(sequence: 0)), Array(full[((prefill - 1) * v)..<(prefill * v)])))
    for p in prefill..<sequence.count {
      try model.decode([DecodeInput(tokens: [sequence[p]], cache: cache)], state: state, context: context)
      worst = max(worst, Self.relativeError(Array(state.logits(sequence: 0)), Array(full[(p * v)..<((p + 1) * v)])))
    }
    #expect(cache.count == sequence.count)
    #expect(worst <= Self.relativeTolerance, "\(name), \(threads) threads: relative error \(worst)")
  }

  /// Sequences stepped together (packed, each with its own cache, at different lengths) give
  /// each one's own logits, and a prefill longer than one attention block (128 rows) is exact.
  @Test func packedSequencesMatchTheirOwnForward() throws {
    let model = try LlamaModel.load(from: Fixtures.model("tiny-llama3-gqa"))
    let c = model.configuration
    let v = c.vocabularySize
    let a = Self.tokens(140, vocabulary: v, seed: 1)
    let b = Self.tokens(9, vocabulary: v, seed: 2)
    let fullA = try Self.fullLogits(model, a, threads: 2)
    let fullB = try Self.fullLogits(model, b, threads: 2)
    let cacheA = KVCache(configuration: c, capacity: 160)
    let cacheB = KVCache(configuration: c, capacity: 16)
    let state = DecodeState(configuration: c)
    let context = ComputeContext(threads: 2)
    try model.decode(
      [DecodeInput(tokens: Array(a[..<135]), cache: cacheA), DecodeInput(tokens: Array(b[..<3]), cache: cacheB)],
      state: state, context: context)
    var worst = max(
      Self.relativeError(Array(state.logits(sequence: 0)), Array(fullA[(134 * v)..<(135 * v)])),
      Self.relativeError(Array(state.logits(sequence: 1)), Array(fullB[(2 * v)..<(3 * v)])))
    for i in 0..<5 {
      try model.decode(
        [DecodeInput(tokens: [a[135 + i]], cache: cacheA), DecodeInput(tokens: [b[3 + i]], cache: cacheB)],
        state: state, context: context)
      worst = max(worst, Self.relativeError(Array(state.logits(sequence: 0)), Array(fullA[((135 + i) * v)..<((136 + i) * v)])))
      worst = max(worst, Self.relativeError(Array(state.logits(sequence: 1)), Array(fullB[((3 + i) * v)..<((4 + i) * v)])))
    }
    #expect(worst <= Self.relativeTolerance, "relative error \(worst)")
  }

  @Test func fullCacheAndBadTokensAreErrors() throws {
    let model = try LlamaModel.load(from: Fixtures.model("tiny-tied-mqa"))
    let c = model.configuration
    let cache = KVCache(configuration: c, capacity: 4)
    let state = DecodeState(configuration: c)
    #expect(throws: GenerationError.contextFull(needed: 5, capacity: 4)) {
      try model.decode([DecodeInput(tokens: [1, 2, 3, 4, 5], cache: cache)], state: state, context: .serial)
    }
    #expect(cache.count == 0)
    #expect(throws: GenerationError.tokenOutOfRange(token: Int32(c.vocabularySize), vocabularySize: c.vocabularySize)) {
      try model.decode([DecodeInput(tokens: [Int32(c.vocabularySize)], cache: cache)], state: state, context: .serial)
    }
    #expect(throws: GenerationError.emptyStep) {
      try model.decode([DecodeInput(tokens: [], cache: cache)], state: state, context: .serial)
    }
  }
}
