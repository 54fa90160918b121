import TensorCore
import Tokenizers

/// The outcome of one generation.
public struct GenerationResult: Sendable, Equatable {
  /// Number of prompt ids.
  public var promptTokenCount: Int
  /// Generated ids (the stop token included when one ended generation).
  public var tokens: [Int32]
  /// Generated text (stop token and stop string excluded).
  public var text: String
  /// Why generation ended.
  public var stopReason: StopReason

  /// A result from its parts.
  public init(promptTokenCount: Int, tokens: [Int32], text: String, stopReason: StopReason) {
    self.promptTokenCount = promptTokenCount
    self.tokens = tokens
    self.text = text
    self.stopReason = stopReason
  }
}

/// Text generation with bae's own engine: prefill the prompt into a ``KVCache``, then one
/// token per step, choosing each with a ``Sampler`` and stopping on a stop token, a stop
/// string, the token limit or a full context (llama2.c's `generate`, mlx-lm's `generate_step`).
///
/// The generator owns one ``DecodeState``; use one generator per thread. The model is shared
/// and read-only.
public final class Generator {
  /// The model.
  public let model: LlamaModel
  /// Its tokenizer.
  public let tokenizer: any Tokenizer
  /// Threads of every step.
  public let context: ComputeContext
  private let state: DecodeState

  /// A generator over `model` with `tokenizer`.
  public init(model: LlamaModel, tokenizer: any Tokenizer, context: ComputeContext) {
    self.model = model
    self.tokenizer = tokenizer
    self.context = context
    state = DecodeState(configuration: model.configuration)
  }

  /// Generates a continuation of `promptTokens`, calling `onText` with each text delta as soon
  /// as it is complete (see ``IncrementalDetokenizer``).
  ///
  /// - Parameters:
  ///   - promptTokens: the prompt's ids (BOS and chat template already applied).
  ///   - options: limits, sampling, stops.
  ///   - capacity: KV cache positions (default: prompt plus `maxTokens`, at most the model's context).
  ///   - onText: receives each delta; may throw to stop generation.
  /// - Throws: ``GenerationError``, or what `onText` throws.
  public func generate(
    promptTokens: [Int32], options: GenerationOptions, capacity: Int? = nil,
    onText: (String) throws -> Void = { _ in }
  ) throws -> GenerationResult {
    let limit = model.configuration.maxPositionEmbeddings
    let size = capacity ?? min(limit, promptTokens.count + max(options.maxTokens, 1))
    let sequence = try GenerationSequence(
      promptTokens: promptTokens, options: options, tokenizer: tokenizer,
      cache: KVCache(configuration: model.configuration, capacity: max(size, 1)))
    while !sequence.isFinished {
      let deltas = try Self.step([sequence], model: model, state: state, context: context)
      if !deltas[0].isEmpty { try onText(deltas[0]) }
    }
    return GenerationResult(
      promptTokenCount: promptTokens.count, tokens: sequence.tokens, text: sequence.text,
      stopReason: sequence.stopReason ?? .maxTokens)
  }

  /// Advances every unfinished sequence by one step (a prefill for a new one) in one packed
  /// pass, and returns each sequence's text delta (empty for finished ones).
  ///
  /// - Throws: ``GenerationError`` from ``LlamaModel/decode(_:state:context:)``.
  public static func step(
    _ sequences: [GenerationSequence], model: LlamaModel, state: DecodeState, context: ComputeContext
  ) throws(GenerationError) -> [String] {
    let active = sequences.indices.filter { !sequences[$0].isFinished }
    var deltas = [String](repeating: "", count: sequences.count)
    guard !active.isEmpty else { return deltas }
    try model.decode(
      active.map { DecodeInput(tokens: sequences[$0].nextInput, cache: sequences[$0].cache) }, state: state,
      context: context)
    for (b, i) in active.enumerated() {
      deltas[i] = sequences[i].accept(state.logits(sequence: b))
    }
    return deltas
  }
}
