import Foundation

/// Why a judge request gave no usable answer. Messages never contain the API key.
public enum JudgeError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The server could not be reached (DNS, connection refused, TLS).
  case unreachable(url: String, reason: String)
  /// No complete answer within the time limit.
  case timedOut(url: String, seconds: Double)
  /// The server answered with an HTTP error that retrying does not fix (or retries ran out).
  case http(url: String, status: Int, message: String)
  /// The body was not an OpenAI-compatible chat completion.
  case malformedResponse(url: String, reason: String)
  /// The on-disk response cache could not be read or written.
  case cache(path: String, reason: String)
  /// The run was cancelled.
  case cancelled

  public var description: String {
    switch self {
    case .unreachable(let url, let reason): "cannot reach the judge at \(url): \(reason)"
    case .timedOut(let url, let seconds): "the judge at \(url) gave no answer within \(seconds) s"
    case .http(let url, let status, let message): "the judge at \(url) answered HTTP \(status): \(message)"
    case .malformedResponse(let url, let reason): "the judge at \(url) sent an answer that is not a chat completion: \(reason)"
    case .cache(let path, let reason): "judge response cache \(path): \(reason)"
    case .cancelled: "the judge request was cancelled"
    }
  }
}
