import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A controllable HTTP/1.1 server on loopback for tests: every request is recorded and answered
/// by a handler that returns a ``TestResponse`` (scripted replies, stalls, dropped connections,
/// files with `Range`, redirects). One request per connection (`Connection: close`).
///
/// ```swift
/// let script = ResponseScript([.json("{}", status: 429, headers: ["Retry-After": "1"]), .json(ok)])
/// let server = try await HTTPTestServer.start { _ in script.next() }
/// defer { server.stop() }
/// … server.url("/v1/chat/completions") … server.requests.count …
/// ```
public final class HTTPTestServer: Sendable {
  /// Answers one request (called on an event-loop thread; must not block).
  public typealias Handler = @Sendable (RecordedRequest) -> TestResponse

  /// The TCP port on 127.0.0.1.
  public let port: Int
  private let channel: any Channel
  private let state: ServerState

  private init(port: Int, channel: any Channel, state: ServerState) {
    self.port = port
    self.channel = channel
    self.state = state
  }

  /// Starts a server on 127.0.0.1 on a free port.
  public static func start(_ handler: @escaping Handler) async throws -> HTTPTestServer {
    let state = ServerState(handler: handler)
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
          try channel.pipeline.syncOperations.addHandler(TestServerHandler(state: state))
          state.track(channel)
        }
      }
      .bind(host: "127.0.0.1", port: 0).get()
    guard let port = channel.localAddress?.port else { throw ServerStartError() }
    return HTTPTestServer(port: port, channel: channel, state: state)
  }

  /// `http://127.0.0.1:PORT`.
  public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

  /// `path` (starting with `/`) on this server.
  public func url(_ path: String) -> URL { URL(string: "http://127.0.0.1:\(port)\(path)")! }

  /// Every request received so far, in order of arrival.
  public var requests: [RecordedRequest] { state.snapshot().requests }

  /// The most requests that were being answered at the same time.
  public var peakConcurrentRequests: Int { state.snapshot().peak }

  /// Stops listening and closes every open connection (stalled ones included); returns at once.
  public func stop() {
    channel.close(promise: nil)
    state.closeAll()
  }

  /// A loopback port with nothing listening (bound, then released), for "connection refused".
  public static func closedPort() async throws -> Int {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .bind(host: "127.0.0.1", port: 0).get()
    let port = channel.localAddress?.port ?? 9
    try await channel.close()
    return port
  }
}

struct ServerStartError: Error, CustomStringConvertible {
  var description: String { "the test server has no local port" }
}

/// What the server's threads share: the handler, the recorded requests, open connections.
final class ServerState: @unchecked Sendable {
  let handler: HTTPTestServer.Handler
  private let lock = NSLock()
  private var requests: [RecordedRequest] = []
  private var inFlight = 0
  private var peak = 0
  private var channels: [ObjectIdentifier: any Channel] = [:]

  init(handler: @escaping HTTPTestServer.Handler) { self.handler = handler }

  func track(_ channel: any Channel) {
    lock.lock()
    channels[ObjectIdentifier(channel)] = channel
    lock.unlock()
    channel.closeFuture.whenComplete { [weak self] _ in
      guard let self else { return }
      self.lock.lock()
      self.channels[ObjectIdentifier(channel)] = nil
      self.lock.unlock()
    }
  }

  func began(_ request: RecordedRequest) {
    lock.lock()
    requests.append(request)
    inFlight += 1
    peak = max(peak, inFlight)
    lock.unlock()
  }

  func ended() {
    lock.lock()
    inFlight -= 1
    lock.unlock()
  }

  func snapshot() -> (requests: [RecordedRequest], peak: Int) {
    lock.lock()
    defer { lock.unlock() }
    return (requests, peak)
  }

  func closeAll() {
    lock.lock()
    let open = Array(channels.values)
    lock.unlock()
    for channel in open { channel.close(promise: nil) }
  }
}

/// Collects one request and plays its ``TestResponse``.
final class TestServerHandler: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = HTTPServerRequestPart
  typealias OutboundOut = HTTPServerResponsePart

  private let state: ServerState
  private var head: HTTPRequestHead?
  private var body = Data()
  /// Whether a request was counted as in flight and not yet finished.
  private var answering = false

  init(state: ServerState) { self.state = state }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch unwrapInboundIn(data) {
    case .head(let head):
      self.head = head
      body = Data()
    case .body(let buffer):
      body.append(contentsOf: buffer.readableBytesView)
    case .end:
      guard let head else { return }
      let request = Self.record(head, body: body)
      state.began(request)
      answering = true
      play(state.handler(request), method: head.method, context: context)
    }
  }

  func channelInactive(context: ChannelHandlerContext) {
    finish()
    context.fireChannelInactive()
  }

  private func finish() {
    if answering {
      answering = false
      state.ended()
    }
  }

  private func play(_ response: TestResponse, method: HTTPMethod, context: ChannelHandlerContext) {
    switch response {
    case .delayed(let seconds, let inner):
      let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
      context.eventLoop.scheduleTask(in: .milliseconds(Int64(seconds * 1000))) {
        let (handler, context) = bound.value
        handler.play(inner, method: method, context: context)
      }
    case .stall:
      break
    case .closeConnection:
      finish()
      context.close(promise: nil)
    case .reply(let status, let headers, let body):
      writeHead(status: status, headers: headers, length: body.count, context: context)
      if method != .HEAD && !body.isEmpty { writeBody(body, context: context) }
      let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
      context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
        let (handler, context) = bound.value
        handler.finish()
        context.close(promise: nil)
      }
    case .dropMidBody(let status, let headers, let declaredLength, let sent):
      writeHead(status: status, headers: headers, length: declaredLength, context: context)
      writeBody(sent, context: context)
      let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
      context.flush()
      // Give the bytes a moment to leave before the connection is cut.
      context.eventLoop.scheduleTask(in: .milliseconds(50)) {
        let (handler, context) = bound.value
        handler.finish()
        context.close(promise: nil)
      }
    }
  }

  private func writeHead(status: Int, headers: [String: String], length: Int, context: ChannelHandlerContext) {
    var fields = NIOHTTP1.HTTPHeaders()
    for (name, value) in headers.sorted(by: { $0.key < $1.key }) { fields.add(name: name, value: value) }
    if !fields.contains(name: "Content-Length") { fields.add(name: "Content-Length", value: "\(length)") }
    fields.replaceOrAdd(name: "Connection", value: "close")
    let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: fields)
    context.write(wrapOutboundOut(.head(head)), promise: nil)
  }

  private func writeBody(_ data: Data, context: ChannelHandlerContext) {
    var buffer = context.channel.allocator.buffer(capacity: data.count)
    buffer.writeBytes(data)
    context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
  }

  private static func record(_ head: HTTPRequestHead, body: Data) -> RecordedRequest {
    let parts = URLComponents(string: head.uri)
    var query: [String: String] = [:]
    for item in parts?.queryItems ?? [] { query[item.name] = item.value ?? "" }
    var headers: [String: String] = [:]
    for (name, value) in head.headers { headers[name.lowercased()] = value }
    return RecordedRequest(
      method: head.method.rawValue, uri: head.uri, path: parts?.path ?? head.uri, query: query, headers: headers,
      body: body)
  }
}
