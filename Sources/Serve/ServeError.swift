import Foundation

/// Why the server cannot start or run.
public enum ServeError: Error, CustomStringConvertible, Equatable {
  /// An option is out of range.
  case invalidOption(String)
  /// The model, tokenizer or chat template could not be loaded.
  case load(String)
  /// The listening socket could not be opened.
  case bind(host: String, port: Int, reason: String)

  public var description: String {
    switch self {
    case .invalidOption(let message): message
    case .load(let message): message
    case .bind(let host, let port, let reason): "cannot listen on \(host):\(port): \(reason)"
    }
  }
}

/// A request the server refuses: its HTTP status and the OpenAI-style error body.
struct APIFailure: Error {
  var status: Int
  var message: String
  var type: String
  var code: String?
  var retryAfter: Int?

  static func badRequest(_ message: String, code: String? = nil) -> APIFailure {
    APIFailure(status: 400, message: message, type: "invalid_request_error", code: code)
  }
}
