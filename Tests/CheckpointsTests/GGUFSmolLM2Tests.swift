import Checkpoints
import Foundation
import TestSupport
import Testing

/// The default model, if `make setup` has put it under `models/` (it is git-ignored; see
/// `scripts/make_gguf_fixtures.py` for where it comes from).
private let smolLM2 = Fixtures.defaultModelFile

private struct SmolLM2Golden: Decodable {
  struct Tensor: Decodable {
    var type: String
    var shape: [Int]
    var rows: [[Float]]
  }
  var tensor_count: Int
  var tensors: [String: Tensor]
}

@Suite("GGUF reader on SmolLM2-135M-Instruct Q4_1")
struct GGUFSmolLM2Tests {
  @Test(
    .enabled(
      if: Fixtures.defaultModelAvailable, Comment(rawValue: Fixtures.defaultModelMissing)))
  func matchesGGUFPy() throws {
    let goldenURL = Fixtures.resource("gguf/smollm2_expected.json", in: "CheckpointsTests")
    let golden = try JSONDecoder().decode(SmolLM2Golden.self, from: Data(contentsOf: goldenURL))
    let file = try GGUFFile(url: smolLM2)
    #expect(file.version == 3)
    #expect(file.tensors.count == 272)
    #expect(golden.tensor_count == 272)
    #expect(try file.requiredString("general.architecture") == "llama")
    #expect(try file.requiredInt("llama.block_count") == 30)
    #expect(try file.requiredInt("llama.embedding_length") == 576)
    #expect(try file.requiredStringArray("tokenizer.ggml.tokens").count == 49152)
    #expect(try file.requiredInt32Array("tokenizer.ggml.token_type").count == 49152)
    try file.validate()
    for (name, expected) in golden.tensors {
      let info = try #require(file.info(for: name))
      #expect(info.storedType == expected.type)
      #expect(info.shape == expected.shape)
      let values = try file.floats(name)
      let rowLength = info.shape.last ?? 1
      for (row, expectedRow) in expected.rows.enumerated() {
        let actual = Array(values[(row * rowLength)..<((row + 1) * rowLength)])
        let match = closeness(actual, expectedRow)
        #expect(match.maxDiff == 0, "\(name) row \(row): \(match)")
      }
    }
    #expect(file.info(for: "token_embd.weight")?.shape == [49152, 576])
  }

  /// `BAE_BENCH=1 swift test -c release --filter GGUFSmolLM2Tests` prints open and
  /// dequantization times for the whole model.
  @Test(
    .enabled(if: Fixtures.defaultModelAvailable && ProcessInfo.processInfo.environment["BAE_BENCH"] == "1"))
  func benchmarkLoad() throws {
    let clock = ContinuousClock()
    var file: GGUFFile?
    let openTime = try clock.measure { file = try GGUFFile(url: smolLM2) }
    let gguf = try #require(file)
    var elements = 0
    let readTime = try clock.measure {
      for name in gguf.tensorNames { elements += try gguf.floats(name).count }
    }
    print(
      "GGUF bench: open (header + metadata) \(openTime), dequantize \(gguf.tensors.count) "
        + "tensors (\(elements) floats) \(readTime), total \(openTime + readTime)")
    #expect(elements > 100_000_000)
  }
}
