import ChatAPI
import Foundation
import HTTPTestServer
import TestSupport
import Testing

@testable import Interpret

/// `OpenAIJudgeClient` against the loopback test server playing an OpenAI-compatible API:
/// answers, retries, `Retry-After`, the cache, time-outs, the concurrency limit, bad answers.
@Suite struct OpenAIJudgeClientTests {
  static func completion(_ text: String, prompt: Int = 7, completion: Int = 2) -> TestResponse {
    .json(
      #"{"id":"c1","object":"chat.completion","created":1,"model":"judge","#
        + #""choices":[{"index":0,"message":{"role":"assistant","content":"\#(text)"},"finish_reason":"stop"}],"#
        + #""usage":{"prompt_tokens":\#(prompt),"completion_tokens":\#(completion),"total_tokens":\#(prompt + completion)}}"#
    )
  }

  static let question = ChatCompletionRequest(
    model: "placeholder", messages: [.system("Answer yes or no."), .user("Is 'cat' an animal?")], maxTokens: 3,
    temperature: 0)

  static func configuration(
    _ server: HTTPTestServer, retries: Int = 3, cache: URL? = nil, timeout: Double = 10, concurrency: Int = 4
  ) -> OpenAIJudgeConfiguration {
    OpenAIJudgeConfiguration(
      baseURL: server.url("/v1"), model: "judge-model", apiKeyEnvironmentVariable: "BAE_TEST_JUDGE_KEY",
      connectTimeout: 2, requestTimeout: timeout, maximumRetries: retries, initialBackoff: 0.02, maximumBackoff: 0.1,
      maximumRetryAfter: 5, concurrency: concurrency, cacheDirectory: cache, jitterSeed: 42)
  }

  @Test func answersWithTheConfiguredModelKeyAndUsage() async throws {
    let server = try await HTTPTestServer.start { _ in Self.completion("Yes") }
    defer { server.stop() }
    let client = OpenAIJudgeClient(
      configuration: Self.configuration(server), environment: ["BAE_TEST_JUDGE_KEY": "sk-test-123"])
    let answer = try await client.complete(Self.question)
    #expect(
      answer == JudgeAnswer(text: "Yes", usage: TokenUsage(promptTokens: 7, completionTokens: 2), fromCache: false))
    let sent = try #require(server.requests.first)
    #expect(sent.method == "POST")
    #expect(sent.path == "/v1/chat/completions")
    #expect(sent.header("Authorization") == "Bearer sk-test-123")
    let body = try ChatWire.decode(ChatCompletionRequest.self, from: sent.body)
    #expect(body.model == "judge-model")
    #expect(body.messages == Self.question.messages)
    #expect(
      client.usage
        == JudgeUsageTotals(tokens: TokenUsage(promptTokens: 7, completionTokens: 2), httpRequests: 1, answered: 1))
  }

  @Test func noKeyInTheEnvironmentSendsNoAuthorization() async throws {
    let server = try await HTTPTestServer.start { _ in Self.completion("no") }
    defer { server.stop() }
    let client = OpenAIJudgeClient(configuration: Self.configuration(server), environment: [:])
    #expect(!client.hasAPIKey)
    _ = try await client.complete(Self.question)
    #expect(server.requests[0].header("Authorization") == nil)
  }

  @Test func serverErrorsAndDroppedConnectionsAreRetried() async throws {
    let script = ResponseScript([
      .text("overloaded", status: 500), .closeConnection, .text("bad gateway", status: 502), Self.completion("yes"),
    ])
    let server = try await HTTPTestServer.start { _ in script.next() }
    defer { server.stop() }
    let client = OpenAIJudgeClient(configuration: Self.configuration(server), environment: [:])
    let answer = try await client.complete(Self.question)
    #expect(answer.text == "yes")
    #expect(server.requests.count == 4)
    #expect(client.usage.retries == 3)
    #expect(client.usage.httpRequests == 4)
  }

  @Test func retriesRunOutWithTheLastStatus() async throws {
    let server = try await HTTPTestServer.start { _ in .text("down", status: 503) }
    defer { server.stop() }
    let client = OpenAIJudgeClient(configuration: Self.configuration(server, retries: 2), environment: [:])
    do {
      _ = try await client.complete(Self.question)
      Issue.record("expected HTTP 503")
    } catch {
      guard case .http(_, 503, let message) = error else {
        Issue.record("got \(error)")
        return
      }
      #expect(message.contains("down"))
    }
    #expect(server.requests.count == 3)
  }

  @Test(arguments: ["1", "HTTP-date"])
  func rateLimitsWaitForRetryAfter(form: String) async throws {
    // An HTTP date has one-second resolution and is made when the 429 is sent: 3 s ahead, so
    // the wait is at least 2 s after truncation and transit.
    let script = ResponseScript([Self.completion("yes")])
    let first = ResponseScript([.text("first")], then: .text("later"))
    let server = try await HTTPTestServer.start { _ in
      guard case .reply(_, _, let body) = first.next(), body == Data("first".utf8) else { return script.next() }
      let value: String
      if form == "1" {
        value = "1"
      } else {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        value = formatter.string(from: Date().addingTimeInterval(3))
      }
      return .json(#"{"error":{"message":"slow down","type":"rate"}}"#, status: 429, headers: ["Retry-After": value])
    }
    defer { server.stop() }
    let client = OpenAIJudgeClient(configuration: Self.configuration(server), environment: [:])
    let started = Date()
    let answer = try await client.complete(Self.question)
    let elapsed = Date().timeIntervalSince(started)
    #expect(answer.text == "yes")
    #expect(server.requests.count == 2)
    // The backoff alone would be under 0.1 s; Retry-After asks for about 1 s (tolerance for a loaded machine).
    #expect(elapsed >= 0.9, "waited \(elapsed) s")
    // No upper bound here: an async test also waits for a free thread of the test pool, which
    // heavy synchronous tests can hold for over a minute; the 300 s cap is checked below.
  }

  @Test func retryAfterParsesSecondsAndHTTPDates() {
    let now = Date(timeIntervalSince1970: 1_445_412_450)  // Wed, 21 Oct 2015 07:27:30 GMT
    #expect(JudgeRetryPolicy.parseRetryAfter("120", now: now) == 120)
    #expect(JudgeRetryPolicy.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now: now) == 30)
    #expect(JudgeRetryPolicy.parseRetryAfter("Wednesday, 21-Oct-15 07:28:00 GMT", now: now) == 30)
    #expect(JudgeRetryPolicy.parseRetryAfter("soon", now: now) == nil)
    #expect(JudgeRetryPolicy.parseRetryAfter(nil, now: now) == nil)
    let policy = JudgeRetryPolicy(initialBackoff: 1, maximumBackoff: 60, maximumRetryAfter: 10)
    #expect(policy.retryAfter("3600", now: now) == 10)
    #expect(policy.retryAfter("Wed, 21 Oct 2015 07:27:00 GMT", now: now) == 0)
  }

  @Test func backoffDoublesWithSeededJitter() {
    let policy = JudgeRetryPolicy(initialBackoff: 1, maximumBackoff: 8, maximumRetryAfter: 10)
    #expect(policy.backoff(retry: 0, random: 0) == 0.5)
    #expect(policy.backoff(retry: 2, random: 0) == 2)
    #expect(policy.backoff(retry: 10, random: 0.999_999) < 8)
    #expect(policy.backoff(retry: 10, random: 0.5) == 6)
    var a = SplitMix64(state: 42)
    var b = SplitMix64(state: 42)
    let first = (0..<5).map { _ in a.nextUnit() }
    #expect(first == (0..<5).map { _ in b.nextUnit() })
    #expect(first.allSatisfy { (0..<1).contains($0) })
    #expect(Set(first).count == 5)
  }

  @Test(arguments: [401, 403, 404])
  func refusalsAreNotRetriedAndSayWhy(status: Int) async throws {
    let server = try await HTTPTestServer.start { _ in
      .json(#"{"error":{"message":"nope","type":"invalid_request_error"}}"#, status: status)
    }
    defer { server.stop() }
    let client = OpenAIJudgeClient(
      configuration: Self.configuration(server), environment: ["BAE_TEST_JUDGE_KEY": "sk-secret-999"])
    do {
      _ = try await client.complete(Self.question)
      Issue.record("expected HTTP \(status)")
    } catch {
      guard case .http(_, status, let message) = error else {
        Issue.record("got \(error)")
        return
      }
      #expect(message.contains("nope"))
      #expect(message.contains(status == 404 ? "ends in /v1" : "$BAE_TEST_JUDGE_KEY"))
      #expect(!error.description.contains("sk-secret-999"))
    }
    #expect(server.requests.count == 1)
  }

  @Test func aMalformedBodyIsReportedNotRetried() async throws {
    let server = try await HTTPTestServer.start { _ in .json(#"{"choices": "not a list"}"#) }
    defer { server.stop() }
    let client = OpenAIJudgeClient(configuration: Self.configuration(server), environment: [:])
    do {
      _ = try await client.complete(Self.question)
      Issue.record("expected a malformed response")
    } catch {
      guard case .malformedResponse(let url, _) = error else {
        Issue.record("got \(error)")
        return
      }
      #expect(url == server.url("/v1/chat/completions").absoluteString)
    }
    #expect(server.requests.count == 1)
  }

  @Test func theCacheAnswersASecondRunWithoutRequests() async throws {
    let scratch = try ScratchDirectory("judge-cache")
    let server = try await HTTPTestServer.start { _ in Self.completion("yes") }
    defer { server.stop() }
    let first = OpenAIJudgeClient(configuration: Self.configuration(server, cache: scratch.url), environment: [:])
    let other = ChatCompletionRequest(model: "x", messages: [.user("Is 'run' a verb?")])
    #expect(try await first.complete(Self.question).fromCache == false)
    _ = try await first.complete(other)
    #expect(server.requests.count == 2)

    // A new client (a resumed run) with the same cache, and a different key: no requests at all.
    let second = OpenAIJudgeClient(
      configuration: Self.configuration(server, cache: scratch.url), environment: ["BAE_TEST_JUDGE_KEY": "sk-other"])
    let again = try await second.complete(Self.question)
    #expect(again == JudgeAnswer(text: "yes", usage: .zero, fromCache: true))
    _ = try await second.complete(other)
    #expect(server.requests.count == 2)
    #expect(second.usage == JudgeUsageTotals(cacheHits: 2))

    // Entries hold no key; a corrupted one is ignored, answered again and rewritten.
    let files = try FileManager.default.subpathsOfDirectory(atPath: scratch.url.path).filter { $0.hasSuffix(".json") }
    #expect(files.count == 2)
    for file in files {
      let text = try String(contentsOfFile: scratch.url.appendingPathComponent(file).path, encoding: .utf8)
      #expect(!text.contains("sk-"))
      try Data(text.prefix(40).utf8).write(to: scratch.url.appendingPathComponent(file))
    }
    let third = OpenAIJudgeClient(configuration: Self.configuration(server, cache: scratch.url), environment: [:])
    #expect(try await third.complete(Self.question).fromCache == false)
    #expect(server.requests.count == 3)
    #expect(try await third.complete(Self.question).fromCache == true)
    #expect(server.requests.count == 3)
  }

  @Test func aStalledServerTimesOut() async throws {
    let server = try await HTTPTestServer.start { _ in .stall }
    defer { server.stop() }
    let client = OpenAIJudgeClient(configuration: Self.configuration(server, retries: 1, timeout: 1), environment: [:])
    await #expect(throws: JudgeError.timedOut(url: server.url("/v1/chat/completions").absoluteString, seconds: 1)) {
      _ = try await client.complete(Self.question)
    }
    // Both attempts ended by the 1 s limit (the error names it); not timed, as awaiting here
    // also waits for a free thread of the test pool on a loaded machine.
    #expect(server.requests.count == 2)
  }

  @Test func atMostConcurrencyRequestsAreInFlight() async throws {
    let server = try await HTTPTestServer.start { _ in .delayed(seconds: 0.2, Self.completion("yes")) }
    defer { server.stop() }
    let client = OpenAIJudgeClient(configuration: Self.configuration(server, concurrency: 2), environment: [:])
    try await withThrowingTaskGroup(of: Void.self) { group in
      for index in 0..<8 {
        group.addTask {
          _ = try await client.complete(ChatCompletionRequest(model: "x", messages: [.user("question \(index)")]))
        }
      }
      try await group.waitForAll()
    }
    #expect(server.requests.count == 8)
    #expect(server.peakConcurrentRequests <= 2)
    #expect(client.usage.answered == 8)
    #expect(client.usage.tokens.totalTokens == 8 * 9)
  }

  @Test func anUnreachableServerIsNamed() async throws {
    let port = try await HTTPTestServer.closedPort()
    let configuration = OpenAIJudgeConfiguration(
      baseURL: URL(string: "http://127.0.0.1:\(port)/v1")!, model: "m", connectTimeout: 2, maximumRetries: 1,
      initialBackoff: 0.01)
    let client = OpenAIJudgeClient(configuration: configuration, environment: [:])
    do {
      _ = try await client.complete(Self.question)
      Issue.record("expected unreachable")
    } catch {
      guard case .unreachable(let url, _) = error else {
        Issue.record("got \(error)")
        return
      }
      #expect(url == "http://127.0.0.1:\(port)/v1/chat/completions")
      #expect(error.description.hasPrefix("cannot reach the judge at"))
    }
    #expect(client.usage.httpRequests == 2)
  }
}
