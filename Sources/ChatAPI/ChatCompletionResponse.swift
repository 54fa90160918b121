import Foundation

/// Token counts of one request (`usage` in every OpenAI-compatible response).
public struct TokenUsage: Codable, Sendable, Equatable, Hashable {
  public var promptTokens: Int
  public var completionTokens: Int
  public var totalTokens: Int

  public init(promptTokens: Int, completionTokens: Int) {
    self.promptTokens = promptTokens
    self.completionTokens = completionTokens
    self.totalTokens = promptTokens + completionTokens
  }

  enum CodingKeys: String, CodingKey {
    case promptTokens = "prompt_tokens"
    case completionTokens = "completion_tokens"
    case totalTokens = "total_tokens"
  }

  public static func + (a: TokenUsage, b: TokenUsage) -> TokenUsage {
    TokenUsage(promptTokens: a.promptTokens + b.promptTokens, completionTokens: a.completionTokens + b.completionTokens)
  }

  public static let zero = TokenUsage(promptTokens: 0, completionTokens: 0)
}

/// Why generation ended: `stop` (end-of-sequence token or a stop string) or `length` (`max_tokens`).
public enum FinishReason: String, Codable, Sendable, Equatable {
  case stop, length
}

/// The body answering `POST /v1/chat/completions` without streaming.
public struct ChatCompletionResponse: Codable, Sendable, Equatable {
  public struct Choice: Codable, Sendable, Equatable {
    public var index: Int
    public var message: ChatMessage
    public var finishReason: FinishReason?

    public init(index: Int, message: ChatMessage, finishReason: FinishReason?) {
      self.index = index
      self.message = message
      self.finishReason = finishReason
    }

    enum CodingKeys: String, CodingKey {
      case index, message
      case finishReason = "finish_reason"
    }
  }

  public var id: String
  public var object: String
  public var created: Int
  public var model: String
  public var choices: [Choice]
  public var usage: TokenUsage?

  public init(id: String, created: Int, model: String, choices: [Choice], usage: TokenUsage?) {
    self.id = id
    self.object = "chat.completion"
    self.created = created
    self.model = model
    self.choices = choices
    self.usage = usage
  }
}

/// One server-sent event of a streamed chat completion (`object: "chat.completion.chunk"`).
public struct ChatCompletionChunk: Codable, Sendable, Equatable {
  public struct Delta: Codable, Sendable, Equatable {
    public var role: ChatMessage.Role?
    public var content: String?

    public init(role: ChatMessage.Role? = nil, content: String? = nil) {
      self.role = role
      self.content = content
    }
  }

  public struct Choice: Codable, Sendable, Equatable {
    public var index: Int
    public var delta: Delta
    public var finishReason: FinishReason?

    public init(index: Int, delta: Delta, finishReason: FinishReason?) {
      self.index = index
      self.delta = delta
      self.finishReason = finishReason
    }

    enum CodingKeys: String, CodingKey {
      case index, delta
      case finishReason = "finish_reason"
    }
  }

  public var id: String
  public var object: String
  public var created: Int
  public var model: String
  public var choices: [Choice]

  public init(id: String, created: Int, model: String, choices: [Choice]) {
    self.id = id
    self.object = "chat.completion.chunk"
    self.created = created
    self.model = model
    self.choices = choices
  }
}

/// The body answering `POST /v1/completions` without streaming (`object: "text_completion"`).
public struct CompletionResponse: Codable, Sendable, Equatable {
  public struct Choice: Codable, Sendable, Equatable {
    public var index: Int
    public var text: String
    public var finishReason: FinishReason?

    public init(index: Int, text: String, finishReason: FinishReason?) {
      self.index = index
      self.text = text
      self.finishReason = finishReason
    }

    enum CodingKeys: String, CodingKey {
      case index, text
      case finishReason = "finish_reason"
    }
  }

  public var id: String
  public var object: String
  public var created: Int
  public var model: String
  public var choices: [Choice]
  public var usage: TokenUsage?

  public init(id: String, created: Int, model: String, choices: [Choice], usage: TokenUsage?) {
    self.id = id
    self.object = "text_completion"
    self.created = created
    self.model = model
    self.choices = choices
    self.usage = usage
  }
}

/// The body answering `GET /v1/models`.
public struct ModelList: Codable, Sendable, Equatable {
  public struct Model: Codable, Sendable, Equatable {
    public var id: String
    public var object: String
    public var created: Int
    public var ownedBy: String

    public init(id: String, created: Int, ownedBy: String) {
      self.id = id
      self.object = "model"
      self.created = created
      self.ownedBy = ownedBy
    }

    enum CodingKeys: String, CodingKey {
      case id, object, created
      case ownedBy = "owned_by"
    }
  }

  public var object: String
  public var data: [Model]

  public init(data: [Model]) {
    self.object = "list"
    self.data = data
  }
}

/// The body of an error answer (`{"error": {"message": …, "type": …, "code": …}}`).
public struct APIErrorBody: Codable, Sendable, Equatable {
  public struct Detail: Codable, Sendable, Equatable {
    public var message: String
    public var type: String
    public var code: String?

    public init(message: String, type: String, code: String? = nil) {
      self.message = message
      self.type = type
      self.code = code
    }
  }

  public var error: Detail

  public init(message: String, type: String, code: String? = nil) {
    error = Detail(message: message, type: type, code: code)
  }
}
