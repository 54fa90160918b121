import Foundation

/// Why an HTTP transfer did not complete. An HTTP error status is not a transport error: it comes
/// back as an ``HTTPResponse``. Messages never contain credentials.
public enum TransportError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The URL is not one libcurl can fetch.
  case invalidURL(url: String, reason: String)
  /// No connection: the host is unknown or refused it.
  case unreachable(url: String, reason: String)
  /// A time limit ran out (connecting, the whole transfer, or a stall).
  case timedOut(url: String, limit: String)
  /// The connection broke before the response was complete (closed mid-body, reset).
  case connectionLost(url: String, reason: String)
  /// TLS could not be set up (certificate, handshake).
  case tls(url: String, reason: String)
  /// More redirects than the client follows.
  case tooManyRedirects(url: String, limit: Int)
  /// A body held in memory would exceed the client's limit.
  case responseTooLarge(url: String, limit: Int)
  /// The body could not be written to its file.
  case file(url: String, reason: String)
  /// The transfer was cancelled.
  case cancelled(url: String)
  /// Any other libcurl failure.
  case failed(url: String, code: Int, reason: String)

  /// Whether trying again may succeed (no connection, a timeout, a broken connection).
  public var isTransient: Bool {
    switch self {
    case .unreachable, .timedOut, .connectionLost: true
    default: false
    }
  }

  /// The URL the failed request was for (without credentials).
  public var url: String {
    switch self {
    case .invalidURL(let url, _), .unreachable(let url, _), .timedOut(let url, _), .connectionLost(let url, _),
      .tls(let url, _), .tooManyRedirects(let url, _), .responseTooLarge(let url, _), .file(let url, _),
      .cancelled(let url), .failed(let url, _, _):
      url
    }
  }

  /// What went wrong, without the URL (callers that name the URL themselves use this).
  public var reason: String {
    switch self {
    case .invalidURL(_, let reason): "invalid URL: \(reason)"
    case .unreachable(_, let reason): "cannot connect: \(reason)"
    case .timedOut(_, let limit): "timed out (limits: \(limit))"
    case .connectionLost(_, let reason): "connection lost before the response was complete: \(reason)"
    case .tls(_, let reason): "TLS failed: \(reason)"
    case .tooManyRedirects(_, let limit): "more than \(limit) redirects"
    case .responseTooLarge(_, let limit): "response body larger than \(limit) bytes"
    case .file(_, let reason): "cannot write the response to its file: \(reason)"
    case .cancelled: "cancelled"
    case .failed(_, let code, let reason): "transfer failed (libcurl error \(code)): \(reason)"
    }
  }

  public var description: String { "\(url): \(reason)" }
}
