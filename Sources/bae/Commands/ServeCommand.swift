import ArgumentParser
import Checkpoints
import Foundation
import Serve

/// `bae serve`: an OpenAI-compatible HTTP server over the model.
struct ServeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Serve the model over an OpenAI-compatible HTTP API (/v1/chat/completions, /v1/completions, /v1/models).",
    discussion: """
      Binds 127.0.0.1 by default. When $\(ServerOptions.apiKeyEnvironmentVariable) is set, every request must send \
      `Authorization: Bearer <key>`. Prints `bae serve: listening on http://HOST:PORT` on stderr once bound \
      (--port 0 picks a free port). Stops on SIGINT or SIGTERM.
      """)

  @OptionGroup var model: ModelArguments

  @Option(name: .long, help: "Address to bind.")
  var host = "127.0.0.1"

  @Option(name: .long, help: "Port to listen on (0 = any free port).")
  var port = 8080

  @Option(name: .long, help: "Model id clients send in `model` (default: the model file's name without extension).")
  var modelID: String?

  @Option(name: .long, help: "Largest request body in bytes (larger: 413).")
  var maxBodyBytes = 1 << 20

  @Option(name: .long, help: "Largest max_tokens a request may ask for, and the default when it asks for none.")
  var maxTokens = 512

  @Option(name: .long, help: "Positions per sequence (prompt plus answer; longer prompts: 400).")
  var context = 2048

  @Option(name: .long, help: "Requests generated together (each with its own KV cache).")
  var batch = 4

  @Option(name: .long, help: "Requests waiting beyond those generating (more: 503 with Retry-After).")
  var queue = 16

  @Option(name: .long, help: .hidden)
  var injectFault: String?

  func validate() throws {
    do {
      try options(apiKey: nil, fault: nil).validate()
      if let injectFault { _ = try FaultInjection(parsing: injectFault) }
    } catch {
      throw ValidationError(error.description)
    }
  }

  func options(apiKey: String?, fault: FaultInjection?) -> ServerOptions {
    ServerOptions(
      host: host, port: port, maxBodyBytes: maxBodyBytes, maxTokensCap: maxTokens,
      contextLength: context, maxBatch: batch, maxQueue: queue, apiKey: apiKey, fault: fault, compute: model.context)
  }

  func run() throws {
    let location = try model.resolvedLocation()
    let apiKey = ProcessInfo.processInfo.environment[ServerOptions.apiKeyEnvironmentVariable].flatMap {
      $0.isEmpty ? nil : $0
    }
    let fault = try injectFault.map { text in try reportingErrors { try FaultInjection(parsing: text) } }
    let options = options(apiKey: apiKey, fault: fault)
    FileHandle.standardError.write(Data("bae serve: loading \(location.url.path)\n".utf8))
    let served = try reportingErrors { try ServedModel.load(location, id: modelID) }
    if let reason = served.chatUnavailableReason {
      FileHandle.standardError.write(Data("bae serve: chat completions unavailable: \(reason)\n".utf8))
    }
    let server = BaeServer(model: served, options: options)
    let outcome = Outcome()
    let done = DispatchSemaphore(value: 0)
    let modelName = served.id
    let authNote = apiKey == nil ? "" : " (API key required)"
    Task {
      do {
        try await server.run { url in
          FileHandle.standardError.write(
            Data("bae serve: listening on \(url.absoluteString) (model \(modelName))\(authNote)\n".utf8))
        }
      } catch {
        outcome.set(error)
      }
      done.signal()
    }
    done.wait()
    if let error = outcome.error { throw CommandError("\(error)") }
    FileHandle.standardError.write(Data("bae serve: stopped\n".utf8))
  }
}

/// The error a background task ended with, handed back to the blocked command.
private final class Outcome: @unchecked Sendable {
  private let lock = NSLock()
  private var stored: (any Error)?
  var error: (any Error)? { lock.withLock { stored } }
  func set(_ error: any Error) { lock.withLock { stored = error } }
}
