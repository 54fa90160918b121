import Foundation

/// Something that sends one HTTP request and returns the response: ``HTTPClient`` over libcurl,
/// or a test double. Clients built on it (the judge client) know nothing of libcurl.
public protocol HTTPTransport: Sendable {
  /// Sends `request` and returns the final response (after redirects), body in memory.
  ///
  /// - Throws: ``TransportError`` when no complete response arrived; an HTTP error status is
  ///   a response, not an error.
  func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse
}
