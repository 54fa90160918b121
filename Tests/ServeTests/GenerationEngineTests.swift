import Foundation
import Models
import Testing

@testable import Serve

@Suite struct GenerationEngineTests {
  /// A full queue refuses (the server answers 503 with Retry-After): with the engine thread not
  /// started, nothing leaves the queue, so exactly `maxBatch + maxQueue` jobs are accepted.
  @Test func aFullQueueRefusesNewJobs() throws {
    let served = try ServeFixture.served()
    let engine = GenerationEngine(
      model: served.model, tokenizer: served.tokenizer, options: ServeFixture.options { $0.maxBatch = 2; $0.maxQueue = 3 })
    var streams: [AsyncStream<EngineEvent>] = []
    for _ in 0..<5 {
      streams.append(try #require(engine.submit(promptTokens: [1, 2], options: GenerationOptions(maxTokens: 2))))
    }
    #expect(engine.submit(promptTokens: [1, 2], options: GenerationOptions(maxTokens: 2)) == nil)
    #expect(engine.waiting == 5)
  }
}
