import ChatAPI
import Foundation
import Hummingbird
import Models
import Synchronization
import Tokenizers

/// The OpenAI-compatible endpoints: parse and check a request, queue its generation, and answer
/// with JSON or server-sent events. Every failure becomes an ``APIErrorBody``.
final class APIHandler: Sendable {
  let served: ServedModel
  let options: ServerOptions
  let engine: GenerationEngine
  /// Chat requests answered so far by the `too-many-requests` fault.
  private let faultCount = Atomic<Int>(0)
  private let created = Int(Date().timeIntervalSince1970)

  init(served: ServedModel, options: ServerOptions, engine: GenerationEngine) {
    self.served = served
    self.options = options
    self.engine = engine
  }

  // MARK: Responses

  /// Checks the API key, runs `body`, and turns any failure into an error response.
  func respond(_ request: Request, _ body: () async throws -> Response) async -> Response {
    if let key = options.apiKey {
      let given = request.headers[.authorization] ?? ""
      guard given == "Bearer \(key)" else {
        return failure(
          APIFailure(
            status: 401, message: "missing or wrong API key: send `Authorization: Bearer <key>`",
            type: "authentication_error", code: "invalid_api_key"))
      }
    }
    do {
      return try await body()
    } catch let failure as APIFailure {
      return self.failure(failure)
    } catch {
      return self.failure(APIFailure(status: 500, message: "\(error)", type: "server_error"))
    }
  }

  func failure(_ f: APIFailure) -> Response {
    var headers = HTTPFields()
    headers[.contentType] = "application/json"
    if let after = f.retryAfter { headers[.retryAfter] = String(after) }
    let body = (try? ChatWire.encode(APIErrorBody(message: f.message, type: f.type, code: f.code))) ?? Data()
    return Response(
      status: HTTPResponse.Status(code: f.status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
  }

  func json(_ value: some Encodable) throws -> Response {
    var headers = HTTPFields()
    headers[.contentType] = "application/json"
    return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: try ChatWire.encode(value))))
  }

  // MARK: Routes

  func models() throws -> Response {
    try json(ModelList(data: [ModelList.Model(id: served.id, created: created, ownedBy: "bae")]))
  }

  func chat(_ request: Request) async throws -> Response {
    switch options.fault {
    case .tooManyRequests(let count, let after)?:
      if faultCount.add(1, ordering: .relaxed).newValue <= count {
        throw APIFailure(
          status: 429, message: "too many requests (injected fault)", type: "rate_limit_error", code: "rate_limited",
          retryAfter: after)
      }
    case .stall(let seconds)?:
      try await Task.sleep(for: .seconds(seconds))
    case .malformed?:
      var headers = HTTPFields()
      headers[.contentType] = "application/json"
      return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: "this is not JSON {")))
    case nil: break
    }
    let body: ChatCompletionRequest = try await decode(request)
    try checkModel(body.model)
    guard let template = options.chatTemplate ?? served.chatTemplate else {
      throw APIFailure.badRequest(
        "chat completions are unavailable for this model: \(served.chatUnavailableReason ?? "no chat template"); use /v1/completions",
        code: "unsupported_chat_template")
    }
    guard !body.messages.isEmpty else { throw APIFailure.badRequest("`messages` is empty") }
    let prompt = template.render(
      body.messages.map { ChatTemplate.Message(role: $0.role.rawValue, content: $0.content) },
      addGenerationPrompt: true)
    let job = try prepare(
      prompt: prompt, maxTokens: body.maxTokens, temperature: body.temperature, topP: body.topP, seed: body.seed,
      stop: body.stop)
    let id = "chatcmpl-\(UUID().uuidString.lowercased())"
    let (created, model) = (created, served.id)
    let events = try submit(job)
    if body.stream == true {
      return stream(events, id: id, promptTokens: job.tokens.count) { delta, finish in
        ChatCompletionChunk(
          id: id, created: created, model: model,
          choices: [.init(index: 0, delta: delta.map { .init(content: $0) } ?? .init(), finishReason: finish)])
      } first: {
        ChatCompletionChunk(
          id: id, created: created, model: model,
          choices: [.init(index: 0, delta: .init(role: .assistant, content: ""), finishReason: nil)])
      }
    }
    let result = try await collect(events)
    return try json(
      ChatCompletionResponse(
        id: id, created: created, model: served.id,
        choices: [.init(index: 0, message: .assistant(result.text), finishReason: Self.finish(result.stopReason))],
        usage: TokenUsage(promptTokens: result.promptTokenCount, completionTokens: result.tokens.count)))
  }

  func completion(_ request: Request) async throws -> Response {
    let body: CompletionRequest = try await decode(request)
    try checkModel(body.model)
    guard !body.prompt.isEmpty else { throw APIFailure.badRequest("`prompt` is empty") }
    let job = try prepare(
      prompt: body.prompt, maxTokens: body.maxTokens, temperature: body.temperature, topP: body.topP, seed: body.seed,
      stop: body.stop)
    let id = "cmpl-\(UUID().uuidString.lowercased())"
    let (created, model) = (created, served.id)
    let events = try submit(job)
    if body.stream == true {
      return stream(events, id: id, promptTokens: job.tokens.count) { delta, finish in
        CompletionResponse(
          id: id, created: created, model: model,
          choices: [.init(index: 0, text: delta ?? "", finishReason: finish)], usage: nil)
      } first: {
        nil as CompletionResponse?
      }
    }
    let result = try await collect(events)
    return try json(
      CompletionResponse(
        id: id, created: created, model: served.id,
        choices: [.init(index: 0, text: result.text, finishReason: Self.finish(result.stopReason))],
        usage: TokenUsage(promptTokens: result.promptTokenCount, completionTokens: result.tokens.count)))
  }

  // MARK: Steps

  func decode<T: Decodable>(_ request: Request) async throws -> T {
    let buffer: ByteBuffer
    do {
      buffer = try await request.body.collect(upTo: options.maxBodyBytes)
    } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
      throw APIFailure(
        status: 413, message: "the request body exceeds \(options.maxBodyBytes) bytes", type: "invalid_request_error",
        code: "request_too_large")
    }
    do {
      return try ChatWire.decode(T.self, from: Data(buffer.readableBytesView))
    } catch let error as DecodingError {
      throw APIFailure.badRequest("malformed request body: \(Self.describe(error))", code: "invalid_json")
    }
  }

  static func describe(_ error: DecodingError) -> String {
    func path(_ keys: [any CodingKey]) -> String {
      keys.isEmpty ? "the body" : "`" + keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".") + "`"
    }
    switch error {
    case .keyNotFound(let key, let context): return "missing field \(path(context.codingPath + [key]))"
    case .typeMismatch(_, let context), .valueNotFound(_, let context):
      return "wrong type at \(path(context.codingPath)): \(context.debugDescription)"
    case .dataCorrupted(let context):
      return context.codingPath.isEmpty ? "not valid JSON" : "invalid value at \(path(context.codingPath))"
    @unknown default: return "\(error)"
    }
  }

  func checkModel(_ name: String) throws {
    guard name == served.id else {
      throw APIFailure(
        status: 404, message: "unknown model `\(name)`; this server serves `\(served.id)`",
        type: "invalid_request_error", code: "model_not_found")
    }
  }

  struct Job {
    var tokens: [Int32]
    var options: GenerationOptions
  }

  func prepare(
    prompt: String, maxTokens: Int?, temperature: Double?, topP: Double?, seed: UInt64?, stop: [String]?
  ) throws -> Job {
    if let maxTokens, !(1...options.maxTokensCap).contains(maxTokens) {
      throw APIFailure.badRequest("max_tokens must be in 1…\(options.maxTokensCap), got \(maxTokens)")
    }
    let sampling = SamplingParameters(temperature: temperature ?? 1, topP: topP ?? 1, seed: seed ?? 0)
    do { try sampling.validate() } catch { throw APIFailure.badRequest(error.description) }
    if let stop, stop.count > 4 { throw APIFailure.badRequest("at most 4 stop strings are accepted") }
    let tokens: [Int32]
    do { tokens = try served.tokenizer.encodeIDs(prompt) } catch {
      throw APIFailure.badRequest("the prompt cannot be tokenized: \(error)")
    }
    guard !tokens.isEmpty else { throw APIFailure.badRequest("the prompt has no tokens") }
    guard tokens.count < options.contextLength else {
      throw APIFailure.badRequest(
        "the prompt has \(tokens.count) tokens but the context holds \(options.contextLength) "
          + "(prompt plus at least one generated token); shorten it", code: "context_length_exceeded")
    }
    return Job(
      tokens: tokens,
      options: GenerationOptions(
        maxTokens: maxTokens ?? options.maxTokensCap, sampling: sampling, stopStrings: stop ?? [],
        stopTokens: served.stopTokens))
  }

  func submit(_ job: Job) throws -> AsyncStream<EngineEvent> {
    guard let events = engine.submit(promptTokens: job.tokens, options: job.options) else {
      throw APIFailure(
        status: 503, message: "the server is busy (\(options.maxBatch) generating, \(options.maxQueue) queued); retry later",
        type: "server_busy", code: "queue_full", retryAfter: 1)
    }
    return events
  }

  func collect(_ events: AsyncStream<EngineEvent>) async throws -> GenerationResult {
    for await event in events {
      switch event {
      case .text: continue
      case .finished(let result): return result
      case .failed(let message): throw APIFailure(status: 500, message: message, type: "server_error")
      }
    }
    throw APIFailure(status: 500, message: "the generation ended without a result", type: "server_error")
  }

  static func finish(_ reason: StopReason) -> FinishReason {
    switch reason {
    case .endOfSequence, .stopString: .stop
    case .maxTokens, .contextFull: .length
    }
  }

  /// Answers with server-sent events: an optional first chunk, one chunk per text delta, a last
  /// chunk with the finish reason, then `data: [DONE]`.
  func stream<Chunk: Encodable & Sendable>(
    _ events: AsyncStream<EngineEvent>, id: String, promptTokens: Int,
    chunk: @escaping @Sendable (String?, FinishReason?) -> Chunk, first: @escaping @Sendable () -> Chunk?
  ) -> Response {
    var headers = HTTPFields()
    headers[.contentType] = "text/event-stream"
    headers[.cacheControl] = "no-cache"
    let body = ResponseBody { writer in
      func send(_ value: some Encodable) async throws {
        var data = Data("data: ".utf8)
        data.append(try ChatWire.encode(value))
        data.append(contentsOf: Array("\n\n".utf8))
        try await writer.write(ByteBuffer(bytes: data))
      }
      if let opening = first() { try await send(opening) }
      for await event in events {
        switch event {
        case .text(let delta): try await send(chunk(delta, nil))
        case .finished(let result): try await send(chunk(nil, Self.finish(result.stopReason)))
        case .failed(let message):
          try await send(APIErrorBody(message: message, type: "server_error"))
        }
      }
      try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
      try await writer.finish(nil)
    }
    return Response(status: .ok, headers: headers, body: body)
  }
}
