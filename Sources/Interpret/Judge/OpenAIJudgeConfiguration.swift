import Foundation

/// How ``OpenAIJudgeClient`` reaches an OpenAI-compatible server, and how patient and how
/// parallel it is.
///
/// The API key is never part of the configuration: only the *name* of the environment variable
/// that holds it (``apiKeyEnvironmentVariable``), read when the client is made. It is never
/// written to the cache, its key, or any message.
public struct OpenAIJudgeConfiguration: Sendable, Equatable {
  /// The API's base URL, up to and including `/v1` (`https://api.openai.com/v1`,
  /// `http://127.0.0.1:8080/v1`); requests go to `{baseURL}/chat/completions`.
  public var baseURL: URL
  /// The model every request is sent to (it replaces the request's own `model`).
  public var model: String
  /// The environment variable holding the API key (sent as `Authorization: Bearer …`); unset or
  /// empty sends no key, which local servers accept.
  public var apiKeyEnvironmentVariable: String
  /// Seconds to establish a connection.
  public var connectTimeout: Double
  /// Seconds for one whole request (connect, generation, answer).
  public var requestTimeout: Double
  /// Further attempts after the first, on 429, 5xx, timeouts and connection failures.
  public var maximumRetries: Int
  /// Backoff before the first retry, in seconds; it doubles each retry (with jitter).
  public var initialBackoff: Double
  /// The longest backoff between two attempts, in seconds.
  public var maximumBackoff: Double
  /// The longest `Retry-After` wait honoured, in seconds (a longer one is cut to this).
  public var maximumRetryAfter: Double
  /// Requests in flight at once, at most.
  public var concurrency: Int
  /// Where answers are cached (one file per request), or `nil` for no cache.
  public var cacheDirectory: URL?
  /// Seed of the backoff jitter, so retry timing is reproducible.
  public var jitterSeed: UInt64

  /// The default API key variable, `OPENAI_API_KEY`.
  public static let defaultAPIKeyEnvironmentVariable = "OPENAI_API_KEY"

  /// A configuration; see the properties for each parameter.
  public init(
    baseURL: URL, model: String, apiKeyEnvironmentVariable: String = defaultAPIKeyEnvironmentVariable,
    connectTimeout: Double = 10, requestTimeout: Double = 120, maximumRetries: Int = 5, initialBackoff: Double = 1,
    maximumBackoff: Double = 60, maximumRetryAfter: Double = 300, concurrency: Int = 4, cacheDirectory: URL? = nil,
    jitterSeed: UInt64 = 0
  ) {
    self.baseURL = baseURL
    self.model = model
    self.apiKeyEnvironmentVariable = apiKeyEnvironmentVariable
    self.connectTimeout = connectTimeout
    self.requestTimeout = requestTimeout
    self.maximumRetries = maximumRetries
    self.initialBackoff = initialBackoff
    self.maximumBackoff = maximumBackoff
    self.maximumRetryAfter = maximumRetryAfter
    self.concurrency = concurrency
    self.cacheDirectory = cacheDirectory
    self.jitterSeed = jitterSeed
  }

  /// `{baseURL}/chat/completions`.
  public var chatCompletionsURL: URL { baseURL.appendingPathComponent("chat/completions") }
}
