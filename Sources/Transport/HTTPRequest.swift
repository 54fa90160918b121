import Foundation

/// One HTTP request: method, URL, headers and body, plus the per-request transfer options.
///
/// Its description redacts credentials (see ``HTTPHeaders``) and any user:password in the URL.
public struct HTTPRequest: Sendable, Equatable, CustomStringConvertible {
  /// The request method.
  public enum Method: String, Sendable, Equatable, CaseIterable {
    case get = "GET"
    case head = "HEAD"
    case post = "POST"
    case put = "PUT"
    case delete = "DELETE"
  }

  /// The request method.
  public var method: Method
  /// The absolute `http` or `https` URL.
  public var url: URL
  /// Header fields sent as given (add `Authorization` here; it is never shown in messages).
  public var headers: HTTPHeaders
  /// The body (for `POST`/`PUT`), or `nil`.
  public var body: Data?
  /// Ask only for bytes `start...` (HTTP `Range: bytes=start-`), to resume a download; `nil`
  /// asks for the whole entity.
  public var rangeStart: Int64?
  /// Follow `3xx` redirects (up to the client's limit). `Authorization` is not sent on to
  /// another host.
  public var followRedirects: Bool
  /// Time limits for this request; `nil` uses the client's.
  public var timeouts: HTTPTimeouts?

  /// A request; see the properties for each parameter.
  public init(
    method: Method = .get, url: URL, headers: HTTPHeaders = [:], body: Data? = nil, rangeStart: Int64? = nil,
    followRedirects: Bool = true, timeouts: HTTPTimeouts? = nil
  ) {
    self.method = method
    self.url = url
    self.headers = headers
    self.body = body
    self.rangeStart = rangeStart
    self.followRedirects = followRedirects
    self.timeouts = timeouts
  }

  public var description: String {
    var text = "\(method.rawValue) \(HTTPRequest.displayURL(url))"
    if !headers.fields.isEmpty { text += "\n\(headers)" }
    return text
  }

  /// `url` as text without any `user:password@` part, for messages.
  public static func displayURL(_ url: URL) -> String {
    guard url.user != nil || url.password != nil, var parts = URLComponents(url: url, resolvingAgainstBaseURL: false)
    else { return url.absoluteString }
    parts.user = nil
    parts.password = nil
    return parts.string ?? url.absoluteString
  }
}

/// How long a transfer may take before it fails with ``TransportError/timedOut(url:limit:)``.
public struct HTTPTimeouts: Sendable, Equatable, Hashable {
  /// Seconds to establish the connection (TCP and TLS).
  public var connect: Double
  /// Seconds for the whole transfer, or `nil` for no limit (large downloads use the low-speed
  /// limit instead).
  public var total: Double?
  /// The transfer fails when fewer than ``lowSpeedBytesPerSecond`` arrive for this many seconds
  /// (a stalled server); `nil` turns this off.
  public var lowSpeedSeconds: Double?
  /// See ``lowSpeedSeconds``.
  public var lowSpeedBytesPerSecond: Int

  /// Time limits; see the properties.
  public init(
    connect: Double = 10, total: Double? = nil, lowSpeedSeconds: Double? = 30, lowSpeedBytesPerSecond: Int = 1
  ) {
    self.connect = connect
    self.total = total
    self.lowSpeedSeconds = lowSpeedSeconds
    self.lowSpeedBytesPerSecond = lowSpeedBytesPerSecond
  }

  /// Words for messages: `connect 10 s, total 60 s, stall 30 s`.
  public var summary: String {
    var parts = ["connect \(Self.seconds(connect))"]
    if let total { parts.append("total \(Self.seconds(total))") }
    if let lowSpeedSeconds { parts.append("stalled \(Self.seconds(lowSpeedSeconds))") }
    return parts.joined(separator: ", ")
  }

  static func seconds(_ value: Double) -> String {
    value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
  }
}
