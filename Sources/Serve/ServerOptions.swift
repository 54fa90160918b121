import Foundation
import TensorCore
import Tokenizers

/// A deliberate misbehaviour of `/v1/chat/completions`, for testing clients' retry, timeout and
/// error paths against a real server.
public enum FaultInjection: Sendable, Equatable, CustomStringConvertible {
  /// Answer the first `count` chat requests with 429 and `Retry-After: retryAfter` seconds, then normally.
  case tooManyRequests(count: Int, retryAfterSeconds: Int)
  /// Accept each chat request, then send nothing for `seconds` before answering normally.
  case stall(seconds: Double)
  /// Answer each chat request with 200 and a body that is not JSON.
  case malformed

  /// Parses `too-many-requests:COUNT:RETRY_AFTER`, `stall:SECONDS` or `malformed`.
  ///
  /// - Throws: ``ServeError/invalidOption(_:)`` for anything else.
  public init(parsing text: String) throws(ServeError) {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
    switch parts.first {
    case "too-many-requests" where parts.count == 3:
      guard let count = Int(parts[1]), count >= 0, let after = Int(parts[2]), after >= 0 else { break }
      self = .tooManyRequests(count: count, retryAfterSeconds: after)
      return
    case "stall" where parts.count == 2:
      guard let seconds = Double(parts[1]), seconds >= 0, seconds.isFinite else { break }
      self = .stall(seconds: seconds)
      return
    case "malformed" where parts.count == 1:
      self = .malformed
      return
    default: break
    }
    throw .invalidOption(
      "fault `\(text)`: expected too-many-requests:COUNT:RETRY_AFTER_SECONDS, stall:SECONDS or malformed")
  }

  public var description: String {
    switch self {
    case .tooManyRequests(let count, let after): "too-many-requests:\(count):\(after)"
    case .stall(let seconds): "stall:\(seconds)"
    case .malformed: "malformed"
    }
  }
}

/// How `bae serve` listens, limits requests and schedules generation.
public struct ServerOptions: Sendable, Equatable {
  /// Address to bind (loopback by default).
  public var host: String
  /// Port; 0 picks a free one (see ``RunningServer/port``).
  public var port: Int
  /// Largest request body accepted (413 above).
  public var maxBodyBytes: Int
  /// Largest `max_tokens` accepted (400 above); also the default when a request gives none.
  public var maxTokensCap: Int
  /// Positions of each sequence's KV cache: prompt plus answer must fit (400 for longer prompts).
  public var contextLength: Int
  /// Sequences generated together (continuous batching; each has its own KV cache).
  public var maxBatch: Int
  /// Requests waiting for a slot; more are answered 503 with `Retry-After`.
  public var maxQueue: Int
  /// Bearer token every request must carry (401 otherwise); nil for none. Never logged.
  public var apiKey: String?
  /// A deliberate fault for client tests; nil in normal use.
  public var fault: FaultInjection?
  /// Template for chat requests when the model carries none (or to override it).
  public var chatTemplate: ChatTemplate?
  /// Threads of the generation engine.
  public var compute: ComputeContext

  /// Options with the defaults of `bae serve`.
  public init(
    host: String = "127.0.0.1", port: Int = 8080, maxBodyBytes: Int = 1 << 20,
    maxTokensCap: Int = 512, contextLength: Int = 2048, maxBatch: Int = 4, maxQueue: Int = 16, apiKey: String? = nil,
    fault: FaultInjection? = nil, chatTemplate: ChatTemplate? = nil, compute: ComputeContext = ComputeContext()
  ) {
    self.host = host
    self.port = port
    self.maxBodyBytes = maxBodyBytes
    self.maxTokensCap = maxTokensCap
    self.contextLength = contextLength
    self.maxBatch = maxBatch
    self.maxQueue = maxQueue
    self.apiKey = apiKey
    self.fault = fault
    self.chatTemplate = chatTemplate
    self.compute = compute
  }

  /// The environment variable holding the API key (`bae serve` reads it; never a flag).
  public static let apiKeyEnvironmentVariable = "BAE_SERVE_API_KEY"

  /// Checks every limit is usable.
  ///
  /// - Throws: ``ServeError/invalidOption(_:)`` naming the option.
  public func validate() throws(ServeError) {
    guard (0...65535).contains(port) else { throw .invalidOption("port \(port) is outside 0…65535") }
    guard maxBodyBytes >= 256 else { throw .invalidOption("the body limit must be at least 256 bytes") }
    guard maxTokensCap >= 1 else { throw .invalidOption("the max_tokens cap must be at least 1") }
    guard contextLength >= 2 else { throw .invalidOption("the context length must be at least 2") }
    guard maxBatch >= 1 else { throw .invalidOption("the batch size must be at least 1") }
    guard maxQueue >= 0 else { throw .invalidOption("the queue length must be at least 0") }
    if let apiKey, apiKey.isEmpty { throw .invalidOption("the API key is empty") }
  }
}
