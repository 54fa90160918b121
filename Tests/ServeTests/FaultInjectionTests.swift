import ChatAPI
import Foundation
import Serve
import Testing

/// The test switch other clients' tests rely on (`--inject-fault` / `ServerOptions.fault`).
@Suite struct FaultInjectionTests {
  @Test func parsing() throws {
    #expect(try FaultInjection(parsing: "too-many-requests:2:1") == .tooManyRequests(count: 2, retryAfterSeconds: 1))
    #expect(try FaultInjection(parsing: "stall:1.5") == .stall(seconds: 1.5))
    #expect(try FaultInjection(parsing: "malformed") == .malformed)
    for bad in ["", "stall", "stall:-1", "too-many-requests:2", "explode"] {
      #expect(throws: ServeError.self) { try FaultInjection(parsing: bad) }
    }
  }

  @Test func tooManyRequestsThenNormal() async throws {
    let options = ServeFixture.options { $0.fault = .tooManyRequests(count: 2, retryAfterSeconds: 1) }
    try await ServeFixture.withServer(options) { server in
      for _ in 0..<2 {
        let reply = try await ServeFixture.post(server, "/v1/chat/completions", ServeFixture.chat("Hi"))
        #expect(reply.status == 429)
        #expect(reply.headers["retry-after"] == "1")
        #expect(try reply.decode(APIErrorBody.self).error.type == "rate_limit_error")
      }
      let reply = try await ServeFixture.post(server, "/v1/chat/completions", ServeFixture.chat("Hi"))
      #expect(reply.status == 200)
    }
  }

  @Test func stallDelaysTheAnswer() async throws {
    let options = ServeFixture.options { $0.fault = .stall(seconds: 0.6) }
    try await ServeFixture.withServer(options) { server in
      let start = Date()
      let reply = try await ServeFixture.post(server, "/v1/chat/completions", ServeFixture.chat("Hi"))
      #expect(Date().timeIntervalSince(start) >= 0.6)
      #expect(reply.status == 200)
    }
  }

  @Test func malformedAnswersAreNotJSON() async throws {
    let options = ServeFixture.options { $0.fault = .malformed }
    try await ServeFixture.withServer(options) { server in
      let reply = try await ServeFixture.post(server, "/v1/chat/completions", ServeFixture.chat("Hi"))
      #expect(reply.status == 200)
      #expect(throws: (any Error).self) { try reply.decode(ChatCompletionResponse.self) }
      // Other routes are unaffected.
      #expect(try await ServeFixture.send(server, "GET", "/v1/models").status == 200)
    }
  }
}
