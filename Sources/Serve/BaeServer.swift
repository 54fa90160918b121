import ChatAPI
import Foundation
import Hummingbird
import Logging
import Models
import Synchronization

/// A running server: where it listens, and how to stop it.
public final class RunningServer: Sendable {
  /// The bound host.
  public let host: String
  /// The bound port (the one picked when the options asked for 0).
  public let port: Int
  private let task: Task<Void, any Error>
  private let engine: GenerationEngine

  init(host: String, port: Int, task: Task<Void, any Error>, engine: GenerationEngine) {
    self.host = host
    self.port = port
    self.task = task
    self.engine = engine
  }

  /// `http://HOST:PORT` (an OpenAI client's base URL is this plus `/v1`).
  public var baseURL: URL { URL(string: "http://\(host):\(port)")! }

  /// Stops accepting connections, ends in-flight generations, and waits for the server to stop.
  public func stop() async {
    task.cancel()
    _ = await task.result
    engine.stop()
  }
}

/// `bae serve`: an OpenAI-compatible HTTP server (Hummingbird 2) over bae's generation engine.
///
/// Routes: `GET /v1/models`, `POST /v1/chat/completions`, `POST /v1/completions`, each with
/// server-sent-event streaming (`stream: true`). Every refusal is an ``APIErrorBody`` with a 4xx or
/// 5xx status; the server keeps serving whatever a request holds.
///
/// In a test:
/// ```swift
/// let served = try ServedModel.load(ModelLocation(classifying: url))
/// let server = try await BaeServer(model: served, options: ServerOptions(port: 0)).start()
/// defer { Task { await server.stop() } }
/// // talk to server.baseURL
/// ```
public struct BaeServer: Sendable {
  /// The model answered with.
  public let served: ServedModel
  /// Limits and scheduling.
  public let options: ServerOptions

  /// A server for `model` with `options` (validated by ``start()``).
  public init(model: ServedModel, options: ServerOptions) {
    served = model
    self.options = options
  }

  /// Starts listening and returns once the socket is bound.
  ///
  /// - Throws: ``ServeError`` for invalid options or a port that cannot be bound.
  public func start() async throws(ServeError) -> RunningServer {
    try options.validate()
    let engine = GenerationEngine(model: served.model, tokenizer: served.tokenizer, options: options)
    engine.start()
    let (bound, continuation) = AsyncStream<Int>.makeStream()
    let app = makeApplication(engine: engine) { port in
      continuation.yield(port)
      continuation.finish()
    }
    let task = Task {
      defer { continuation.finish() }
      try await app.runService()
    }
    var iterator = bound.makeAsyncIterator()
    guard let port = await iterator.next() else {
      engine.stop()
      let reason: String
      switch await task.result {
      case .failure(let error): reason = "\(error)"
      case .success: reason = "the server stopped before listening"
      }
      throw .bind(host: options.host, port: options.port, reason: reason)
    }
    return RunningServer(host: options.host, port: port, task: task, engine: engine)
  }

  /// Serves until SIGINT or SIGTERM, calling `onListening` with the bound base URL.
  ///
  /// - Throws: ``ServeError`` for invalid options; the server's own errors.
  public func run(onListening: @escaping @Sendable (URL) -> Void) async throws {
    try options.validate()
    let engine = GenerationEngine(model: served.model, tokenizer: served.tokenizer, options: options)
    engine.start()
    defer { engine.stop() }
    let host = options.host
    let app = makeApplication(engine: engine) { port in onListening(URL(string: "http://\(host):\(port)")!) }
    try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
  }

  private func makeApplication(
    engine: GenerationEngine, onPort: @escaping @Sendable (Int) -> Void
  ) -> some ApplicationProtocol {
    let handler = APIHandler(served: served, options: options, engine: engine)
    let router = Router()
    router.get("/v1/models") { request, _ in await handler.respond(request) { try handler.models() } }
    router.post("/v1/chat/completions") { request, _ in
      await handler.respond(request) { try await handler.chat(request) }
    }
    router.post("/v1/completions") { request, _ in
      await handler.respond(request) { try await handler.completion(request) }
    }
    // Libraries never print: the server's own log (including cancellation noise on stop) goes nowhere;
    // every refusal reaches the client as an APIErrorBody instead.
    let logger = Logger(label: "bae-serve", factory: { _ in SwiftLogNoOpLogHandler() })
    return Application(
      router: router,
      configuration: ApplicationConfiguration(address: .hostname(options.host, port: options.port), serverName: "bae"),
      onServerRunning: { channel in onPort(channel.localAddress?.port ?? 0) },
      logger: logger)
  }
}
