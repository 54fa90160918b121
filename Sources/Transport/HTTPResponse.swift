import Foundation

/// What a server answered: the final response after any redirects.
public struct HTTPResponse: Sendable, Equatable {
  /// The status code (`200`, `206`, `404`…).
  public var status: Int
  /// The final response's header fields.
  public var headers: HTTPHeaders
  /// The body held in memory; empty when a `2xx` body was written to a file instead (error
  /// bodies are always kept here, so their message can be shown).
  public var body: Data
  /// The URL that answered, after redirects.
  public var url: URL
  /// Bytes of the body written to the file, when the request streamed to one.
  public var bytesWrittenToFile: Int64

  public init(status: Int, headers: HTTPHeaders, body: Data, url: URL, bytesWrittenToFile: Int64 = 0) {
    self.status = status
    self.headers = headers
    self.body = body
    self.url = url
    self.bytesWrittenToFile = bytesWrittenToFile
  }

  /// Whether the status is `2xx`.
  public var isSuccess: Bool { (200..<300).contains(status) }

  /// The body as UTF-8 text (invalid bytes replaced), cut to `limit` characters, for messages.
  public func bodyExcerpt(limit: Int = 300) -> String {
    let text = String(decoding: body.prefix(limit * 4), as: UTF8.self)
      .trimmingCharacters(in: .whitespacesAndNewlines)
    return text.count > limit ? String(text.prefix(limit)) + "…" : text
  }
}
