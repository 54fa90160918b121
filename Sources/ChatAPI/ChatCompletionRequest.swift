import Foundation

/// The body of `POST /v1/chat/completions` (the OpenAI-compatible subset `bae` sends and serves).
///
/// Optional fields are left out of the encoded JSON when nil, so a request is the same bytes
/// whoever builds it (the judge's response cache keys on those bytes).
public struct ChatCompletionRequest: Codable, Sendable, Equatable, Hashable {
  public var model: String
  public var messages: [ChatMessage]
  /// Largest number of tokens to generate (`max_tokens`; `max_completion_tokens` is read as the same).
  public var maxTokens: Int?
  /// Sampling temperature; 0 means greedy.
  public var temperature: Double?
  /// Nucleus sampling: keep the smallest set of tokens whose probabilities sum to at least this.
  public var topP: Double?
  /// Seed of the sampler, so a sampled answer can be reproduced.
  public var seed: UInt64?
  /// Text that ends the answer when generated (not included in it).
  public var stop: [String]?
  /// Answer as server-sent events (`data: {chunk}` lines, then `data: [DONE]`).
  public var stream: Bool?

  public init(
    model: String, messages: [ChatMessage], maxTokens: Int? = nil, temperature: Double? = nil, topP: Double? = nil,
    seed: UInt64? = nil, stop: [String]? = nil, stream: Bool? = nil
  ) {
    self.model = model
    self.messages = messages
    self.maxTokens = maxTokens
    self.temperature = temperature
    self.topP = topP
    self.seed = seed
    self.stop = stop
    self.stream = stream
  }

  enum CodingKeys: String, CodingKey {
    case model, messages, temperature, seed, stop, stream
    case maxTokens = "max_tokens"
    case maxCompletionTokens = "max_completion_tokens"
    case topP = "top_p"
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    model = try c.decode(String.self, forKey: .model)
    messages = try c.decode([ChatMessage].self, forKey: .messages)
    maxTokens =
      try c.decodeIfPresent(Int.self, forKey: .maxTokens) ?? c.decodeIfPresent(Int.self, forKey: .maxCompletionTokens)
    temperature = try c.decodeIfPresent(Double.self, forKey: .temperature)
    topP = try c.decodeIfPresent(Double.self, forKey: .topP)
    seed = try c.decodeIfPresent(UInt64.self, forKey: .seed)
    // OpenAI accepts `stop` as one string or a list.
    if let one = try? c.decodeIfPresent(String.self, forKey: .stop) {
      stop = [one]
    } else {
      stop = try c.decodeIfPresent([String].self, forKey: .stop)
    }
    stream = try c.decodeIfPresent(Bool.self, forKey: .stream)
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(model, forKey: .model)
    try c.encode(messages, forKey: .messages)
    try c.encodeIfPresent(maxTokens, forKey: .maxTokens)
    try c.encodeIfPresent(temperature, forKey: .temperature)
    try c.encodeIfPresent(topP, forKey: .topP)
    try c.encodeIfPresent(seed, forKey: .seed)
    try c.encodeIfPresent(stop, forKey: .stop)
    try c.encodeIfPresent(stream, forKey: .stream)
  }
}

/// The body of `POST /v1/completions` (plain text continuation, no chat template).
public struct CompletionRequest: Codable, Sendable, Equatable {
  public var model: String
  public var prompt: String
  public var maxTokens: Int?
  public var temperature: Double?
  public var topP: Double?
  public var seed: UInt64?
  public var stop: [String]?
  public var stream: Bool?

  public init(
    model: String, prompt: String, maxTokens: Int? = nil, temperature: Double? = nil, topP: Double? = nil,
    seed: UInt64? = nil, stop: [String]? = nil, stream: Bool? = nil
  ) {
    self.model = model
    self.prompt = prompt
    self.maxTokens = maxTokens
    self.temperature = temperature
    self.topP = topP
    self.seed = seed
    self.stop = stop
    self.stream = stream
  }

  enum CodingKeys: String, CodingKey {
    case model, prompt, temperature, seed, stop, stream
    case maxTokens = "max_tokens"
    case topP = "top_p"
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    model = try c.decode(String.self, forKey: .model)
    prompt = try c.decode(String.self, forKey: .prompt)
    maxTokens = try c.decodeIfPresent(Int.self, forKey: .maxTokens)
    temperature = try c.decodeIfPresent(Double.self, forKey: .temperature)
    topP = try c.decodeIfPresent(Double.self, forKey: .topP)
    seed = try c.decodeIfPresent(UInt64.self, forKey: .seed)
    if let one = try? c.decodeIfPresent(String.self, forKey: .stop) {
      stop = [one]
    } else {
      stop = try c.decodeIfPresent([String].self, forKey: .stop)
    }
    stream = try c.decodeIfPresent(Bool.self, forKey: .stream)
  }
}
