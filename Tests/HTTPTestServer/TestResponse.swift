import Foundation

/// A request as ``HTTPTestServer`` received it.
public struct RecordedRequest: Sendable {
  /// `GET`, `POST`…
  public var method: String
  /// The request target as sent (path and query).
  public var uri: String
  /// The path, without the query, percent-decoded.
  public var path: String
  /// The query's `name=value` pairs (percent-decoded; the last of a repeated name wins).
  public var query: [String: String]
  /// Header fields, names lowercased (the last of a repeated name wins).
  public var headers: [String: String]
  /// The body.
  public var body: Data

  /// The value of header `name` (any case).
  public func header(_ name: String) -> String? { headers[name.lowercased()] }

  /// The body as UTF-8 text.
  public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// What ``HTTPTestServer`` does with one request.
public indirect enum TestResponse: Sendable {
  /// Answers with `status`, `headers` (a `Content-Length` is added) and `body`.
  case reply(status: Int, headers: [String: String], body: Data)
  /// Accepts the request and says nothing until the client gives up (or the server stops).
  case stall
  /// Sends the head promising `declaredLength` body bytes, then `sent` (fewer), then closes.
  case dropMidBody(status: Int, headers: [String: String], declaredLength: Int, sent: Data)
  /// Closes the connection without answering.
  case closeConnection
  /// Waits `seconds`, then does `response`.
  case delayed(seconds: Double, TestResponse)

  /// A JSON answer (`Content-Type: application/json`).
  public static func json(_ text: String, status: Int = 200, headers: [String: String] = [:]) -> TestResponse {
    .reply(
      status: status, headers: headers.merging(["Content-Type": "application/json"]) { a, _ in a },
      body: Data(text.utf8))
  }

  /// A plain-text answer.
  public static func text(_ text: String, status: Int = 200, headers: [String: String] = [:]) -> TestResponse {
    .reply(
      status: status, headers: headers.merging(["Content-Type": "text/plain"]) { a, _ in a }, body: Data(text.utf8))
  }

  /// A redirect to `location` (absolute, or a path on the same server).
  public static func redirect(to location: String, status: Int = 302, headers: [String: String] = [:]) -> TestResponse {
    .reply(status: status, headers: headers.merging(["Location": location]) { a, _ in a }, body: Data())
  }

  /// `content` served as a file with `Range: bytes=START-[END]` support: `206` with
  /// `Content-Range` for a satisfiable range, `416` past the end, `200` without a range.
  /// `dropAfter` closes the connection after that many body bytes (a broken download).
  public static func file(
    _ content: Data, for request: RecordedRequest, headers: [String: String] = [:], dropAfter: Int? = nil
  ) -> TestResponse {
    var status = 200
    var slice = content
    var fields = headers.merging(["Accept-Ranges": "bytes", "Content-Type": "application/octet-stream"]) { a, _ in a }
    if let range = request.header("Range"), range.hasPrefix("bytes=") {
      let spec = range.dropFirst(6).split(separator: "-", omittingEmptySubsequences: false)
      let start = spec.first.flatMap { Int($0) } ?? 0
      let end = spec.count > 1 ? Int(spec[1]) ?? (content.count - 1) : content.count - 1
      guard start < content.count else {
        return .reply(status: 416, headers: ["Content-Range": "bytes */\(content.count)"], body: Data())
      }
      let last = min(end, content.count - 1)
      slice = content.subdata(in: start..<(last + 1))
      status = 206
      fields["Content-Range"] = "bytes \(start)-\(last)/\(content.count)"
    }
    if let dropAfter, dropAfter < slice.count {
      return .dropMidBody(status: status, headers: fields, declaredLength: slice.count, sent: slice.prefix(dropAfter))
    }
    return .reply(status: status, headers: fields, body: slice)
  }
}

/// Responses handed out in order, then `fallback` for every request after them; safe to call
/// from the server's threads.
public final class ResponseScript: @unchecked Sendable {
  private let lock = NSLock()
  private var pending: [TestResponse]
  private let fallback: TestResponse

  /// Hands out `responses` in order, then `fallback`.
  public init(_ responses: [TestResponse], then fallback: TestResponse = .text("script exhausted", status: 500)) {
    pending = responses
    self.fallback = fallback
  }

  /// The next response.
  public func next() -> TestResponse {
    lock.lock()
    defer { lock.unlock() }
    return pending.isEmpty ? fallback : pending.removeFirst()
  }
}
