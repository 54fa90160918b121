import ChatAPI
import Checkpoints
import Foundation
import Serve
import TestSupport
import Tokenizers

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// An answer read off the wire.
struct HTTPReply {
  var status: Int
  var headers: [String: String]
  var body: Data

  var text: String { String(decoding: body, as: UTF8.self) }

  func decode<T: Decodable>(_ type: T.Type) throws -> T { try ChatWire.decode(type, from: body) }

  /// The `data:` payloads of a server-sent-event body, in order.
  var events: [String] {
    text.components(separatedBy: "\n\n").compactMap { block in
      block.hasPrefix("data: ") ? String(block.dropFirst(6)) : nil
    }
  }
}

enum ServeFixture {
  static let modelID = "tiny"

  /// The tiny fixture model (byte-level tokenizer, no chat template of its own), served with
  /// plain ChatML.
  static func served() throws -> ServedModel {
    let location = try ModelLocation(classifying: Fixtures.model("tiny-extract"))
    return try ServedModel.load(location, id: modelID)
  }

  static func options(_ change: (inout ServerOptions) -> Void = { _ in }) -> ServerOptions {
    var options = ServerOptions(port: 0, maxTokensCap: 64, contextLength: 128, chatTemplate: .chatML, compute: .serial)
    change(&options)
    return options
  }

  /// Runs `body` against a server started in process on an ephemeral port, and stops it.
  static func withServer<T>(
    _ options: ServerOptions = options(), _ body: (RunningServer) async throws -> T
  ) async throws -> T {
    let server = try await BaeServer(model: served(), options: options).start()
    do {
      let value = try await body(server)
      await server.stop()
      return value
    } catch {
      await server.stop()
      throw error
    }
  }

  static func send(
    _ server: RunningServer, _ method: String, _ path: String, body: Data? = nil, headers: [String: String] = [:]
  ) async throws -> HTTPReply {
    var request = URLRequest(url: server.baseURL.appendingPathComponent(path))
    request.httpMethod = method
    request.httpBody = body
    request.timeoutInterval = 60
    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
    let (data, response) = try await URLSession.shared.data(for: request)
    let http = response as! HTTPURLResponse
    var fields: [String: String] = [:]
    for (name, value) in http.allHeaderFields {
      if let name = name as? String, let value = value as? String { fields[name.lowercased()] = value }
    }
    return HTTPReply(status: http.statusCode, headers: fields, body: data)
  }

  static func post(
    _ server: RunningServer, _ path: String, _ value: some Encodable, headers: [String: String] = [:]
  ) async throws -> HTTPReply {
    try await send(server, "POST", path, body: ChatWire.encode(value), headers: headers)
  }

  static func chat(_ content: String, maxTokens: Int = 12, stream: Bool? = nil) -> ChatCompletionRequest {
    ChatCompletionRequest(
      model: modelID, messages: [.user(content)], maxTokens: maxTokens, temperature: 0, stream: stream)
  }
}
