import Foundation
import Testing
import Tokenizers

/// Encoding speed on ~700 KB of prose; runs only with BAE_BENCH=1 (see benchmarks/tokenize/README.md).
@Suite struct TokenizerBenchmark {
  @Test(.enabled(if: ProcessInfo.processInfo.environment["BAE_BENCH"] == "1"))
  func encodeProse() throws {
    guard let path = ProcessInfo.processInfo.environment["BAE_BENCH_TEXT"] else {
      Issue.record("set BAE_BENCH_TEXT to a UTF-8 text file")
      return
    }
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let clock = ContinuousClock()
    let tokenizer = try BPETokenizer(
      tokenizerJSON: Fixtures.url("smollm2/tokenizer.json"), tokenizerConfig: Fixtures.url("smollm2/tokenizer_config.json"))
    var count = 0
    let cold = try clock.measure { count = try tokenizer.encode(text).ids.count }
    let warm = try clock.measure { _ = try tokenizer.encode(text) }
    let sp = try SentencePieceTokenizer(modelFile: Fixtures.url("sentencepiece/tokenizer.model"))
    let spTime = try clock.measure { _ = try sp.encode(text) }
    print("bae tokenize bench: \(text.utf8.count) bytes → \(count) SmolLM2 tokens; cold cache \(cold), warm cache \(warm); SentencePiece \(spTime)")
  }
}
