import ChatAPI
import Foundation
import Models
import Serve
import TestSupport
import Testing
import Tokenizers

/// `bae serve` in process on an ephemeral port, with the tiny fixture model.
@Suite struct ServeEndpointTests {
  @Test func modelsListsTheServedModel() async throws {
    try await ServeFixture.withServer { server in
      let reply = try await ServeFixture.send(server, "GET", "/v1/models")
      #expect(reply.status == 200)
      let list = try reply.decode(ModelList.self)
      #expect(list.data.map(\.id) == [ServeFixture.modelID])
    }
  }

  /// Greedy chat is deterministic, and equals the engine run directly on the rendered prompt.
  @Test func chatIsGreedyDeterministicAndMatchesTheGenerator() async throws {
    let served = try ServeFixture.served()
    let prompt = ChatTemplate.chatML.render([.init(role: "user", content: "Hello there")], addGenerationPrompt: true)
    let ids = try served.tokenizer.encodeIDs(prompt)
    let direct = try Generator(model: served.model, tokenizer: served.tokenizer, context: .serial).generate(
      promptTokens: ids, options: GenerationOptions(maxTokens: 12, stopTokens: served.stopTokens))
    try await ServeFixture.withServer { server in
      var texts: [String] = []
      for _ in 0..<2 {
        let reply = try await ServeFixture.post(server, "/v1/chat/completions", ServeFixture.chat("Hello there"))
        #expect(reply.status == 200, "\(reply.text)")
        let answer = try reply.decode(ChatCompletionResponse.self)
        #expect(answer.object == "chat.completion" && answer.model == ServeFixture.modelID)
        #expect(answer.choices.first?.message.role == .assistant)
        #expect(answer.usage == TokenUsage(promptTokens: ids.count, completionTokens: direct.tokens.count))
        #expect(answer.choices.first?.finishReason == (direct.stopReason == .maxTokens ? .length : .stop))
        texts.append(answer.choices.first?.message.content ?? "")
      }
      #expect(texts[0] == texts[1])
      #expect(texts[0] == direct.text)
    }
  }

  @Test func completionAndStreamingGiveTheSameText() async throws {
    try await ServeFixture.withServer { server in
      let request = CompletionRequest(model: ServeFixture.modelID, prompt: "Once upon a time", maxTokens: 16, temperature: 0)
      let plain = try await ServeFixture.post(server, "/v1/completions", request)
      #expect(plain.status == 200, "\(plain.text)")
      let answer = try plain.decode(CompletionResponse.self)
      #expect(answer.object == "text_completion")
      let text = try #require(answer.choices.first?.text)
      #expect(answer.usage?.completionTokens == 16 || answer.choices.first?.finishReason == .stop)

      var streamed = request
      streamed.stream = true
      let events = try await ServeFixture.post(server, "/v1/completions", streamed)
      #expect(events.status == 200)
      #expect(events.headers["content-type"] == "text/event-stream")
      #expect(events.events.last == "[DONE]")
      let chunks = try events.events.dropLast().map { try ChatWire.decode(CompletionResponse.self, from: Data($0.utf8)) }
      #expect(chunks.map { $0.choices[0].text }.joined() == text)
      #expect(chunks.last?.choices[0].finishReason == answer.choices[0].finishReason)

      let chat = try await ServeFixture.post(server, "/v1/chat/completions", ServeFixture.chat("Hi"))
      let chatText = try chat.decode(ChatCompletionResponse.self).choices[0].message.content
      let chatEvents = try await ServeFixture.post(
        server, "/v1/chat/completions", ServeFixture.chat("Hi", stream: true))
      #expect(chatEvents.events.last == "[DONE]")
      let chatChunks = try chatEvents.events.dropLast().map {
        try ChatWire.decode(ChatCompletionChunk.self, from: Data($0.utf8))
      }
      #expect(chatChunks.first?.choices[0].delta.role == .assistant)
      #expect(chatChunks.allSatisfy { $0.object == "chat.completion.chunk" })
      #expect(chatChunks.compactMap { $0.choices[0].delta.content }.joined() == chatText)
      #expect(chatChunks.compactMap { $0.choices[0].finishReason }.count == 1)
    }
  }

  /// Bad requests get a 4xx with an `APIErrorBody`, and the server keeps serving.
  @Test func badRequestsAreRefusedAndTheServerStaysUp() async throws {
    let options = ServeFixture.options { $0.maxBodyBytes = 2048 }
    try await ServeFixture.withServer(options) { server in
      func expectError(_ reply: HTTPReply, _ status: Int, _ fragment: String) throws {
        #expect(reply.status == status, "\(reply.text)")
        let body = try reply.decode(APIErrorBody.self)
        #expect(body.error.message.contains(fragment), "\(body.error.message)")
      }
      try expectError(
        try await ServeFixture.send(server, "POST", "/v1/chat/completions", body: Data("{not json".utf8)), 400,
        "not valid JSON")
      try expectError(
        try await ServeFixture.send(server, "POST", "/v1/chat/completions", body: Data(#"{"model":"tiny"}"#.utf8)), 400,
        "missing field `messages`")
      var unknown = ServeFixture.chat("Hi")
      unknown.model = "gpt-9"
      try expectError(try await ServeFixture.post(server, "/v1/chat/completions", unknown), 404, "unknown model `gpt-9`")
      try expectError(
        try await ServeFixture.post(server, "/v1/chat/completions", ServeFixture.chat("Hi", maxTokens: 1000)), 400,
        "max_tokens must be in 1…64")
      var hot = ServeFixture.chat("Hi")
      hot.temperature = -1
      try expectError(try await ServeFixture.post(server, "/v1/chat/completions", hot), 400, "temperature")
      let long = CompletionRequest(model: "tiny", prompt: String(repeating: "word ", count: 200), maxTokens: 4)
      try expectError(try await ServeFixture.post(server, "/v1/completions", long), 400, "the context holds 128")
      let huge = CompletionRequest(model: "tiny", prompt: String(repeating: "x", count: 5000), maxTokens: 4)
      try expectError(try await ServeFixture.post(server, "/v1/completions", huge), 413, "exceeds 2048 bytes")
      // Still serving.
      let reply = try await ServeFixture.post(server, "/v1/chat/completions", ServeFixture.chat("Hi"))
      #expect(reply.status == 200)
    }
  }

  @Test func aChatRequestWithoutTemplateIsAClearError() async throws {
    let options = ServeFixture.options { $0.chatTemplate = nil }
    try await ServeFixture.withServer(options) { server in
      let reply = try await ServeFixture.post(server, "/v1/chat/completions", ServeFixture.chat("Hi"))
      #expect(reply.status == 400)
      #expect(try reply.decode(APIErrorBody.self).error.code == "unsupported_chat_template")
    }
  }

  @Test func theAPIKeyIsRequiredWhenSet() async throws {
    let options = ServeFixture.options { $0.apiKey = "sekret" }
    try await ServeFixture.withServer(options) { server in
      let none = try await ServeFixture.send(server, "GET", "/v1/models")
      #expect(none.status == 401)
      #expect(try none.decode(APIErrorBody.self).error.type == "authentication_error")
      #expect(!none.text.contains("sekret"))
      let wrong = try await ServeFixture.send(server, "GET", "/v1/models", headers: ["Authorization": "Bearer nope"])
      #expect(wrong.status == 401)
      let right = try await ServeFixture.send(server, "GET", "/v1/models", headers: ["Authorization": "Bearer sekret"])
      #expect(right.status == 200)
    }
  }

  /// Four requests at once (batched together) all complete.
  @Test func concurrentRequestsAllComplete() async throws {
    try await ServeFixture.withServer { server in
      let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
        for i in 0..<4 {
          group.addTask {
            try await ServeFixture.post(server, "/v1/chat/completions", ServeFixture.chat("Request \(i)", maxTokens: 20))
              .status
          }
        }
        return try await group.reduce(into: []) { $0.append($1) }
      }
      #expect(statuses == [200, 200, 200, 200])
    }
  }
}
