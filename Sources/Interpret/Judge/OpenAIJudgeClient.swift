import ChatAPI
import Foundation
import Transport

/// A ``JudgeClient`` for any OpenAI-compatible `/v1/chat/completions` server (a hosted API,
/// vLLM, llama.cpp's server, `bae serve`), over an ``HTTPTransport`` (libcurl's ``HTTPClient``
/// by default).
///
/// - Every request is sent to ``OpenAIJudgeConfiguration/model``, without streaming.
/// - Answers are cached on disk when a cache directory is set (``JudgeResponseCache``): a request
///   answered before costs no HTTP request, so an interrupted run resumes without paying twice.
/// - 429, 408 and 5xx answers, timeouts and connection failures are retried with exponential
///   backoff and seeded jitter, or after the server's `Retry-After` (seconds or an HTTP date).
///   401, 403, 404 and other 4xx answers are not retried.
/// - At most ``OpenAIJudgeConfiguration/concurrency`` requests are in flight at once.
/// - ``usage`` keeps running totals (tokens, requests, cache hits, retries).
///
/// The API key is read once from the environment variable the configuration names; it is sent
/// only in the `Authorization` header and never appears in errors or the cache.
public final class OpenAIJudgeClient: JudgeClient {
  /// The client's configuration.
  public let configuration: OpenAIJudgeConfiguration
  private let apiKey: String?
  private let transport: any HTTPTransport
  private let cache: JudgeResponseCache?
  private let policy: JudgeRetryPolicy
  private let limiter: RequestLimiter
  private let state: LockedState

  /// A client for `configuration`.
  ///
  /// - Parameters:
  ///   - configuration: where and how to send requests.
  ///   - environment: where the API key variable is read (the process environment by default).
  ///   - transport: what sends the HTTP requests; `nil` uses an ``HTTPClient`` with the
  ///     configuration's time limits.
  public init(
    configuration: OpenAIJudgeConfiguration, environment: [String: String] = ProcessInfo.processInfo.environment,
    transport: (any HTTPTransport)? = nil
  ) {
    self.configuration = configuration
    let key = environment[configuration.apiKeyEnvironmentVariable]?.trimmingCharacters(in: .whitespacesAndNewlines)
    apiKey = (key?.isEmpty ?? true) ? nil : key
    self.transport =
      transport
      ?? HTTPClient(
        configuration: .init(
          timeouts: HTTPTimeouts(
            connect: configuration.connectTimeout, total: configuration.requestTimeout, lowSpeedSeconds: nil)))
    cache = configuration.cacheDirectory.map(JudgeResponseCache.init(directory:))
    policy = JudgeRetryPolicy(
      initialBackoff: configuration.initialBackoff, maximumBackoff: configuration.maximumBackoff,
      maximumRetryAfter: configuration.maximumRetryAfter)
    limiter = RequestLimiter(limit: configuration.concurrency)
    state = LockedState(seed: configuration.jitterSeed)
  }

  /// Whether an API key was found in the configured environment variable.
  public var hasAPIKey: Bool { apiKey != nil }

  /// Running totals over every request this client has answered so far.
  public var usage: JudgeUsageTotals { state.usage }

  public func complete(_ request: ChatCompletionRequest) async throws(JudgeError) -> JudgeAnswer {
    var request = request
    request.model = configuration.model
    request.stream = nil
    let url = configuration.chatCompletionsURL
    let shownURL = url.absoluteString
    let body: Data
    do {
      body = try ChatWire.encode(request)
    } catch {
      throw .malformedResponse(url: shownURL, reason: "the request cannot be encoded: \(error)")
    }
    let key = JudgeResponseCache.key(baseURL: configuration.baseURL, requestBytes: body)
    if let cache, let cached = cache.answer(key: key, baseURL: configuration.baseURL, request: request),
      let text = cached.choices.first?.message.content
    {
      state.update { $0.cacheHits += 1 }
      return JudgeAnswer(text: text, usage: .zero, fromCache: true)
    }

    await limiter.acquire()
    let result: Result<ChatCompletionResponse, JudgeError>
    do {
      result = .success(try await send(body: body, url: url))
    } catch {
      result = .failure(error)
    }
    await limiter.release()
    let response = try result.get()

    let text = response.choices.first!.message.content
    let usage = response.usage ?? .zero
    state.update {
      $0.answered += 1
      $0.tokens = $0.tokens + usage
    }
    try cache?.store(response, key: key, baseURL: configuration.baseURL, request: request)
    return JudgeAnswer(text: text, usage: usage, fromCache: false)
  }

  /// Posts `body` until an answer comes back, retrying what retrying may fix.
  private func send(body: Data, url: URL) async throws(JudgeError) -> ChatCompletionResponse {
    let shownURL = url.absoluteString
    var headers: HTTPHeaders = ["Content-Type": "application/json", "Accept": "application/json"]
    if let apiKey { headers.add("Authorization", "Bearer \(apiKey)") }
    let request = HTTPRequest(method: .post, url: url, headers: headers, body: body)
    var retry = 0
    while true {
      if Task.isCancelled { throw .cancelled }
      state.update { $0.httpRequests += 1 }
      let outcome: Result<HTTPResponse, TransportError>
      do {
        outcome = .success(try await transport.send(request))
      } catch {
        outcome = .failure(error)
      }
      let failure: JudgeError
      var wait: Double?
      switch outcome {
      case .success(let response):
        if response.isSuccess { return try decode(response, url: shownURL) }
        failure = .http(url: shownURL, status: response.status, message: message(for: response))
        guard JudgeRetryPolicy.isRetryable(status: response.status) else { throw failure }
        wait = policy.retryAfter(response.headers["Retry-After"])
      case .failure(let error):
        switch error {
        case .cancelled: throw .cancelled
        case .timedOut: failure = .timedOut(url: shownURL, seconds: configuration.requestTimeout)
        default: failure = .unreachable(url: shownURL, reason: error.reason)
        }
        guard error.isTransient else { throw failure }
      }
      guard retry < configuration.maximumRetries else { throw failure }
      let delay = wait ?? policy.backoff(retry: retry, random: state.nextRandom())
      retry += 1
      state.update { $0.retries += 1 }
      do {
        try await Task.sleep(for: .seconds(delay))
      } catch {
        throw .cancelled
      }
    }
  }

  private func decode(_ response: HTTPResponse, url: String) throws(JudgeError) -> ChatCompletionResponse {
    let decoded: ChatCompletionResponse
    do {
      decoded = try ChatWire.decode(ChatCompletionResponse.self, from: response.body)
    } catch {
      throw .malformedResponse(
        url: url, reason: "\(Self.decodingSummary(error)); body starts: \(response.bodyExcerpt(limit: 120))")
    }
    guard !decoded.choices.isEmpty else { throw .malformedResponse(url: url, reason: "no choices") }
    return decoded
  }

  /// The error answer in words: what the status means here, plus the server's own message.
  private func message(for response: HTTPResponse) -> String {
    let server =
      (try? ChatWire.decode(APIErrorBody.self, from: response.body))?.error.message ?? response.bodyExcerpt(limit: 200)
    let variable = "$\(configuration.apiKeyEnvironmentVariable)"
    let hint: String
    switch response.status {
    case 401, 403:
      hint =
        apiKey == nil
        ? "the server wants an API key and \(variable) is not set"
        : "the server refused the API key in \(variable)"
    case 404:
      hint =
        "no such endpoint or model: check that the base URL ends in /v1 and that model '\(configuration.model)' exists"
    case 429: hint = "rate limited; retries ran out"
    case 500..<600: hint = "server error; retries ran out"
    default: hint = "request refused"
    }
    return server.isEmpty ? hint : "\(hint) (server said: \(server))"
  }

  private static func decodingSummary(_ error: any Error) -> String {
    switch error {
    case DecodingError.keyNotFound(let key, _): "missing field '\(key.stringValue)'"
    case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
      "field '\(context.codingPath.map(\.stringValue).joined(separator: "."))': \(context.debugDescription)"
    case DecodingError.dataCorrupted(let context): "not JSON: \(context.debugDescription)"
    default: String(describing: error)
    }
  }
}

/// The client's mutable state: usage totals and the jitter generator, behind one lock.
private final class LockedState: @unchecked Sendable {
  private let lock = NSLock()
  private var totals = JudgeUsageTotals.zero
  private var random: SplitMix64

  init(seed: UInt64) { random = SplitMix64(state: seed) }

  var usage: JudgeUsageTotals {
    lock.lock()
    defer { lock.unlock() }
    return totals
  }

  func update(_ body: (inout JudgeUsageTotals) -> Void) {
    lock.lock()
    body(&totals)
    lock.unlock()
  }

  func nextRandom() -> Double {
    lock.lock()
    defer { lock.unlock() }
    return random.nextUnit()
  }
}
