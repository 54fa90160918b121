import Tokenizers

/// Why a sequence stopped generating.
public enum StopReason: String, Sendable, Equatable, Codable {
  /// The model produced one of the stop tokens (end of sequence, end of turn).
  case endOfSequence
  /// The text reached one of the stop strings.
  case stopString
  /// The token limit was reached.
  case maxTokens
  /// The KV cache (the model's context) is full.
  case contextFull
}

/// What to generate and when to stop.
public struct GenerationOptions: Sendable, Equatable {
  /// Largest number of new tokens (the stop token, when produced, counts as one).
  public var maxTokens: Int
  /// How tokens are chosen.
  public var sampling: SamplingParameters
  /// Text that ends generation; it is not part of the output.
  public var stopStrings: [String]
  /// Ids that end generation (usually the tokenizer's end-of-sequence id); not decoded into the text.
  public var stopTokens: Set<Int32>

  /// Options for one generation.
  public init(
    maxTokens: Int, sampling: SamplingParameters = .greedy, stopStrings: [String] = [], stopTokens: Set<Int32> = []
  ) {
    self.maxTokens = maxTokens
    self.sampling = sampling
    self.stopStrings = stopStrings
    self.stopTokens = stopTokens
  }

  /// The stop tokens of `tokenizer`: its end-of-sequence id, and ChatML's `<|im_end|>` when the
  /// vocabulary holds it as one token (SmolLM2, Qwen).
  public static func defaultStopTokens(for tokenizer: any Tokenizer) -> Set<Int32> {
    var ids: Set<Int32> = []
    if let eos = tokenizer.eosTokenID { ids.insert(eos) }
    if let endOfTurn = try? tokenizer.encode("<|im_end|>").ids, endOfTurn.count == 1 { ids.insert(endOfTurn[0]) }
    return ids
  }
}

/// One sequence being generated: its prompt, KV cache, sampler, and the text released so far.
///
/// A step of ``Generator/step(_:model:state:context:)`` feeds ``nextInput`` (the whole prompt
/// first, then the last sampled token) and hands the logits to ``accept(_:)``. Sequences are
/// independent, so any number can be stepped together (continuous batching).
public final class GenerationSequence {
  /// Prompt ids.
  public let promptTokens: [Int32]
  /// Limits and sampling.
  public let options: GenerationOptions
  /// The sequence's keys and values.
  public let cache: KVCache
  /// Generated ids, the stop token included when one ended the sequence.
  public private(set) var tokens: [Int32] = []
  /// Text released so far (deltas joined; stop strings and stop tokens excluded).
  public private(set) var text = ""
  /// Why generation ended; nil while it goes on.
  public private(set) var stopReason: StopReason?
  /// Ids the next step must feed; empty once finished.
  public private(set) var nextInput: [Int32]
  private var sampler: Sampler
  private var detokenizer: IncrementalDetokenizer
  private var filter: StopStringFilter

  /// Prepares a sequence; `cache` is reset.
  ///
  /// - Throws: ``GenerationError`` for an empty prompt, invalid sampling parameters, or a prompt
  ///   that leaves no room in the cache for one generated token.
  public init(
    promptTokens: [Int32], options: GenerationOptions, tokenizer: any Tokenizer, cache: KVCache
  ) throws(GenerationError) {
    guard !promptTokens.isEmpty else { throw .emptyPrompt }
    try options.sampling.validate()
    // The prompt and the first generated token must fit (a full cache answers nothing).
    guard promptTokens.count < cache.capacity else {
      throw .contextFull(needed: promptTokens.count + 1, capacity: cache.capacity)
    }
    cache.reset()
    self.promptTokens = promptTokens
    self.options = options
    self.cache = cache
    sampler = Sampler(options.sampling)
    detokenizer = IncrementalDetokenizer(tokenizer: tokenizer)
    filter = StopStringFilter(stops: options.stopStrings)
    nextInput = promptTokens
    if options.maxTokens <= 0 {
      stopReason = .maxTokens
      nextInput = []
    }
  }

  /// Whether generation has ended.
  public var isFinished: Bool { stopReason != nil || abandoned }
  private var abandoned = false

  /// Ends the sequence without a result (its step failed); ``stopReason`` stays nil and
  /// ``isFinished`` becomes true.
  public func abandon() {
    abandoned = true
    nextInput = []
  }

  /// Chooses the next token from the logits of the last step and returns the text it releases.
  ///
  /// - Parameter logits: `[vocab]`, the logits after ``nextInput``.
  public func accept(_ logits: UnsafeBufferPointer<Float>) -> String {
    guard stopReason == nil else { return "" }
    let token = sampler.sample(logits)
    tokens.append(token)
    var delta: String
    if options.stopTokens.contains(token) {
      delta = filter.push(detokenizer.finish()) + filter.finish()
      stopReason = .endOfSequence
    } else {
      delta = filter.push(detokenizer.append(token))
      if filter.stopped {
        stopReason = .stopString
      } else if tokens.count >= options.maxTokens {
        stopReason = .maxTokens
      } else if cache.remaining < 1 {
        stopReason = .contextFull
      }
      if stopReason == .maxTokens || stopReason == .contextFull {
        delta += filter.push(detokenizer.finish())
        delta += filter.finish()
      }
    }
    nextInput = stopReason == nil ? [token] : []
    text += delta
    return delta
  }
}
