import ChatAPI
import Foundation

/// What answers ComSem's questions: an OpenAI-compatible server reached over HTTP
/// (``OpenAIJudgeClient``; a hosted API, vLLM, llama.cpp's server or `bae serve`), or a type of
/// the user's own (a different transport, a test double).
public protocol JudgeClient: Sendable {
  /// Sends one chat request and returns the first choice's text.
  ///
  /// - Throws: ``JudgeError`` when no usable answer came back (after the client's own retries).
  func complete(_ request: ChatCompletionRequest) async throws(JudgeError) -> JudgeAnswer
}

/// One answer of a ``JudgeClient``.
public struct JudgeAnswer: Sendable, Equatable {
  /// The first choice's message text.
  public var text: String
  /// Tokens the request cost (zero when the answer came from the cache).
  public var usage: TokenUsage
  /// Whether the answer was read from the on-disk cache instead of the server.
  public var fromCache: Bool

  public init(text: String, usage: TokenUsage, fromCache: Bool) {
    self.text = text
    self.usage = usage
    self.fromCache = fromCache
  }
}
