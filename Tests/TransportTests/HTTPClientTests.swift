import Foundation
import HTTPTestServer
import Testing
import Transport

/// `HTTPClient` against the loopback test server: bodies, headers, redirects, ranges into files,
/// and each failure becoming the right `TransportError`.
@Suite struct HTTPClientTests {
  let client = HTTPClient(configuration: .init(timeouts: HTTPTimeouts(connect: 2, total: 10)))

  @Test func postSendsHeadersAndBodyAndReturnsTheAnswer() async throws {
    let server = try await HTTPTestServer.start { request in
      .json(
        #"{"echo":"\#(request.bodyText)","auth":"\#(request.header("Authorization") ?? "")"}"#,
        headers: ["X-Answer": "42"])
    }
    defer { server.stop() }
    let request = HTTPRequest(
      method: .post, url: server.url("/v1/echo"), headers: ["Authorization": "Bearer s3cret"], body: Data("hi".utf8))
    let response = try await client.send(request)
    #expect(response.status == 200)
    #expect(response.headers["x-answer"] == "42")
    #expect(String(decoding: response.body, as: UTF8.self) == #"{"echo":"hi","auth":"Bearer s3cret"}"#)
    #expect(server.requests.map(\.method) == ["POST"])
    #expect(server.requests[0].path == "/v1/echo")
  }

  @Test func errorStatusIsAResponseNotAnError() async throws {
    let server = try await HTTPTestServer.start { _ in .json(#"{"error":"nope"}"#, status: 404) }
    defer { server.stop() }
    let response = try await client.send(HTTPRequest(url: server.url("/missing")))
    #expect(response.status == 404)
    #expect(!response.isSuccess)
    #expect(response.bodyExcerpt() == #"{"error":"nope"}"#)
  }

  @Test func redirectsAreFollowedUnlessTurnedOff() async throws {
    let server = try await HTTPTestServer.start { request in
      request.path == "/old" ? .redirect(to: "/new") : .text("arrived at \(request.path)")
    }
    defer { server.stop() }
    let followed = try await client.send(HTTPRequest(url: server.url("/old")))
    #expect(followed.status == 200)
    #expect(String(decoding: followed.body, as: UTF8.self) == "arrived at /new")
    #expect(followed.url.path == "/new")
    let kept = try await client.send(HTTPRequest(url: server.url("/old"), followRedirects: false))
    #expect(kept.status == 302)
    #expect(kept.headers["Location"] == "/new")
  }

  @Test func endlessRedirectsFail() async throws {
    let server = try await HTTPTestServer.start { _ in .redirect(to: "/again") }
    defer { server.stop() }
    let limited = HTTPClient(configuration: .init(maximumRedirects: 3))
    await #expect(throws: TransportError.tooManyRedirects(url: server.url("/loop").absoluteString, limit: 3)) {
      _ = try await limited.send(HTTPRequest(url: server.url("/loop")))
    }
  }

  @Test func rangeResumesIntoAFileByteForByte() async throws {
    let content = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
    let server = try await HTTPTestServer.start { request in .file(content, for: request) }
    defer { server.stop() }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("range-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: path) }
    try content.prefix(12_345).write(to: path)
    let handle = try FileHandle(forWritingTo: path)
    let lastProgress = ProgressBox()
    let response = try await client.send(
      HTTPRequest(url: server.url("/blob"), rangeStart: 12_345), toFile: handle, progress: { lastProgress.set($0) })
    try handle.close()
    #expect(response.status == 206)
    #expect(response.bytesWrittenToFile == Int64(content.count - 12_345))
    #expect(response.body.isEmpty)
    #expect(lastProgress.value == Int64(content.count))
    #expect(try Data(contentsOf: path) == content)
    #expect(server.requests[0].header("Range") == "bytes=12345-")
  }

  @Test func aServerIgnoringTheRangeReplacesTheFile() async throws {
    let content = Data("the whole entity".utf8)
    let server = try await HTTPTestServer.start { _ in .reply(status: 200, headers: [:], body: content) }
    defer { server.stop() }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("range-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: path) }
    try Data("stale partial bytes that are longer".utf8).write(to: path)
    let handle = try FileHandle(forWritingTo: path)
    let response = try await client.send(HTTPRequest(url: server.url("/blob"), rangeStart: 5), toFile: handle)
    try handle.close()
    #expect(response.status == 200)
    #expect(try Data(contentsOf: path) == content)
  }

  @Test func errorBodiesStayInMemoryWhenStreamingToAFile() async throws {
    let server = try await HTTPTestServer.start { _ in .text("denied", status: 401) }
    defer { server.stop() }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("denied-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: path) }
    try Data().write(to: path)
    let handle = try FileHandle(forWritingTo: path)
    let response = try await client.send(HTTPRequest(url: server.url("/blob")), toFile: handle)
    try handle.close()
    #expect(response.status == 401)
    #expect(String(decoding: response.body, as: UTF8.self) == "denied")
    #expect(try Data(contentsOf: path).isEmpty)
  }

  @Test func aStalledServerTimesOut() async throws {
    let server = try await HTTPTestServer.start { _ in .stall }
    defer { server.stop() }
    let request = HTTPRequest(url: server.url("/slow"), timeouts: HTTPTimeouts(connect: 2, total: 1))
    // `perform` blocks this thread for the whole transfer, so the clock below measures the
    // transfer alone; through `send` it would also count the wait for a free thread of the
    // test pool, which heavy synchronous tests can hold for over a minute on a 2-core machine.
    let started = Date()
    #expect(
      throws: TransportError.timedOut(
        url: server.url("/slow").absoluteString, limit: "connect 2 s, total 1 s, stalled 30 s")
    ) {
      _ = try client.perform(request)
    }
    // The 1 s total limit fired, not the 30 s stall limit (tolerance: a loaded machine).
    #expect(Date().timeIntervalSince(started) < 20)
  }

  @Test func aClosedPortIsUnreachable() async throws {
    let port = try await HTTPTestServer.closedPort()
    let url = URL(string: "http://127.0.0.1:\(port)/v1")!
    do {
      _ = try await client.send(HTTPRequest(url: url))
      Issue.record("expected connection refused")
    } catch {
      guard case .unreachable(let shown, _) = error else {
        Issue.record("got \(error)")
        return
      }
      #expect(shown == url.absoluteString)
      #expect(error.isTransient)
    }
  }

  @Test func aConnectionDroppedMidBodyIsLost() async throws {
    let server = try await HTTPTestServer.start { _ in
      .dropMidBody(status: 200, headers: [:], declaredLength: 1000, sent: Data(repeating: 1, count: 100))
    }
    defer { server.stop() }
    do {
      _ = try await client.send(HTTPRequest(url: server.url("/cut")))
      Issue.record("expected a lost connection")
    } catch {
      guard case .connectionLost = error else {
        Issue.record("got \(error)")
        return
      }
      #expect(error.isTransient)
    }
  }

  @Test func cancellingTheTaskStopsTheTransfer() async throws {
    let server = try await HTTPTestServer.start { _ in .stall }
    defer { server.stop() }
    let client = self.client
    let url = server.url("/forever")
    let task = Task { try await client.send(HTTPRequest(url: url, timeouts: HTTPTimeouts(connect: 2, total: 30))) }
    try await Task.sleep(for: .milliseconds(300))
    task.cancel()
    // Not timed: awaiting the result also waits for a free thread of the test pool. The error
    // says which limit ended the transfer: `.cancelled`, not `.timedOut` after 30 s.
    let result = await task.result
    guard case .failure(let error) = result, let error = error as? TransportError else {
      Issue.record("expected cancellation, got \(result)")
      return
    }
    #expect(error == .cancelled(url: url.absoluteString))
  }

  @Test func nonHTTPURLsAreRefused() async throws {
    await #expect(throws: TransportError.self) {
      _ = try await client.send(HTTPRequest(url: URL(fileURLWithPath: "/etc/passwd")))
    }
  }

  @Test func credentialsNeverAppearInDescriptions() {
    let request = HTTPRequest(
      method: .post, url: URL(string: "https://user:pw@example.invalid/v1")!,
      headers: ["Authorization": "Bearer sk-live-123", "Accept": "application/json"])
    let text = request.description
    #expect(!text.contains("sk-live-123"))
    #expect(!text.contains("pw@"))
    #expect(text.contains("Authorization: <redacted>"))
    #expect(text.contains("Accept: application/json"))
  }
}

/// The last value a progress callback saw.
final class ProgressBox: @unchecked Sendable {
  private let lock = NSLock()
  private var last: Int64 = 0
  func set(_ value: Int64) {
    lock.lock()
    last = value
    lock.unlock()
  }
  var value: Int64 {
    lock.lock()
    defer { lock.unlock() }
    return last
  }
}
