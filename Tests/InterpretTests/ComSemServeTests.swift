import ChatAPI
import Checkpoints
import Foundation
import Interpret
import Serve
import TestSupport
import Testing

/// ComSem end to end over HTTP: `OpenAIJudgeClient` against `bae serve` in process on loopback,
/// with the tiny fixture model as judge (greedy, so deterministic), and the client's failure
/// paths against the server's fault switch: 429 then 200 with `Retry-After`, a stall past the
/// timeout, a malformed body, a missing API key (401), an unreachable server. After a failure
/// the run keeps its cache and finished features, and resumes.
@Suite(.serialized) struct ComSemServeTests {
  static func server(_ change: (inout ServerOptions) -> Void = { _ in }) async throws -> RunningServer {
    let location = try ModelLocation(classifying: Fixtures.model("tiny-extract"))
    let served = try ServedModel.load(location, id: "tiny")
    // The tiny model's trained context is 512; ComSem's few-shot prompts are longer, which the
    // engine allows (a warning in `bae forward`, nothing here).
    var options = ServerOptions(port: 0, maxTokensCap: 64, contextLength: 4096, chatTemplate: .chatML, compute: .serial)
    change(&options)
    return try await BaeServer(model: served, options: options).start()
  }

  static func client(
    _ server: RunningServer, cache: URL?, timeout: Double = 60, retries: Int = 3, key: String? = nil
  ) -> OpenAIJudgeClient {
    let configuration = OpenAIJudgeConfiguration(
      baseURL: server.baseURL.appendingPathComponent("v1"), model: "tiny", apiKeyEnvironmentVariable: "BAE_TEST_JUDGE_KEY",
      connectTimeout: 5, requestTimeout: timeout, maximumRetries: retries, initialBackoff: 0.05, maximumBackoff: 0.2,
      concurrency: 2, cacheDirectory: cache)
    return OpenAIJudgeClient(configuration: configuration, environment: key.map { ["BAE_TEST_JUDGE_KEY": $0] } ?? [:])
  }

  /// Feature 0: 15 records (1 explanation + 8 questions), feature 2: 7 records (1 + 2), the
  /// others too few for a request.
  static let records = ComSemTests.standard

  @Test func comSemRunsAgainstBaeServeAndResumesFromTheCache() async throws {
    let scratch = try ScratchDirectory("comsem-serve")
    let server = try await Self.server()
    defer { Task { await server.stop() } }
    let cache = scratch.url.appendingPathComponent("cache")

    let judge = Self.client(server, cache: cache)
    let first = try await ComSemTests.comSem().run(records: Self.records, judge: judge, directory: scratch.url("a"))
    #expect(first.requests == 12 && first.cached == 0)
    #expect(judge.usage.httpRequests == 12 && judge.usage.tokens.promptTokens > 0)
    let r = first.results
    #expect(r.map(\.index) == [0, 1, 2, 3])
    #expect(r[0].tested == 8 && r[0].answers.count == 8 && r[2].tested == 2)
    #expect(r[1].explanation.isEmpty && !r[1].interpretable && r[3].explanation.isEmpty)
    // A random tiny model rarely says exactly "yes"/"no": whatever it says is counted.
    #expect(r[0].yes + r[0].nonYesNo + r[0].answers.filter { $0.lowercased().trimmingCharacters(in: .whitespacesAndNewlines) == "no" }.count == 8)

    // Greedy decoding: a fresh run without the cache asks the same questions and gets the same answers.
    let again = Self.client(server, cache: nil)
    let second = try await ComSemTests.comSem().run(records: Self.records, judge: again, directory: scratch.url("b"))
    #expect(second.results == first.results)

    // A new output directory with the same cache: every answer comes from disk, no request is sent.
    let cached = Self.client(server, cache: cache)
    let third = try await ComSemTests.comSem().run(records: Self.records, judge: cached, directory: scratch.url("c"))
    #expect(cached.usage.httpRequests == 0 && third.cached == 12)
    #expect(third.results.map(\.answers) == first.results.map(\.answers))
  }

  @Test func tooManyRequestsThenSuccessWaitsForRetryAfter() async throws {
    let scratch = try ScratchDirectory("comsem-429")
    let server = try await Self.server { $0.fault = .tooManyRequests(count: 2, retryAfterSeconds: 1) }
    defer { Task { await server.stop() } }
    let judge = Self.client(server, cache: nil)
    let start = Date()
    let outcome = try await ComSemTests.comSem().run(records: Self.records, judge: judge, directory: scratch.url)
    #expect(outcome.featuresDone == 4)
    #expect(judge.usage.retries >= 2 && judge.usage.httpRequests == 14)
    #expect(Date().timeIntervalSince(start) >= 0.9, "Retry-After: 1 was honoured")
  }

  @Test func aStallPastTheTimeoutIsAClearErrorAndTheRunResumes() async throws {
    let scratch = try ScratchDirectory("comsem-stall")
    let cache = scratch.url.appendingPathComponent("cache")
    let stalled = try await Self.server { $0.fault = .stall(seconds: 5) }
    let judge = Self.client(stalled, cache: cache, timeout: 1, retries: 0)
    await #expect {
      _ = try await ComSemTests.comSem(batch: 1).run(records: Self.records, judge: judge, directory: scratch.url)
    } throws: { error in
      "\(error)".contains("no answer within 1") && "\(error)".contains("feature 0")
    }
    await stalled.stop()

    // The same run against a healthy server finishes.
    let healthy = try await Self.server()
    defer { Task { await healthy.stop() } }
    let outcome = try await ComSemTests.comSem(batch: 1).run(
      records: Self.records, judge: Self.client(healthy, cache: cache), directory: scratch.url)
    #expect(outcome.featuresDone == 4)
  }

  @Test func malformedBodiesMissingKeysAndDeadServersAreNamed() async throws {
    let scratch = try ScratchDirectory("comsem-bad")
    let malformed = try await Self.server { $0.fault = .malformed }
    await #expect {
      _ = try await ComSemTests.comSem().run(
        records: Self.records, judge: Self.client(malformed, cache: nil, retries: 0), directory: scratch.url("m"))
    } throws: { "\($0)".contains("not a chat completion") }
    await malformed.stop()

    let locked = try await Self.server { $0.apiKey = "s3cret-key" }
    await #expect {
      _ = try await ComSemTests.comSem().run(
        records: Self.records, judge: Self.client(locked, cache: nil), directory: scratch.url("k"))
    } throws: { "\($0)".contains("HTTP 401") && !"\($0)".contains("s3cret") }
    // With the key the same server answers.
    let outcome = try await ComSemTests.comSem().run(
      records: Self.records, judge: Self.client(locked, cache: nil, key: "s3cret-key"), directory: scratch.url("k2"))
    #expect(outcome.featuresDone == 4)
    let base = locked.baseURL
    await locked.stop()

    // The port is closed now: connection refused, named with the URL.
    let gone = OpenAIJudgeClient(
      configuration: OpenAIJudgeConfiguration(
        baseURL: base.appendingPathComponent("v1"), model: "tiny", connectTimeout: 2, maximumRetries: 0),
      environment: [:])
    await #expect {
      _ = try await ComSemTests.comSem().run(records: Self.records, judge: gone, directory: scratch.url("g"))
    } throws: { "\($0)".contains("cannot reach the judge") }
  }
}
