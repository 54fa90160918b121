// Tokenizer encoding benchmark (see ../README.md):
//   swift run -c release TokenizeBenchmark TEXT_FILE
// Times BPETokenizer.encode (SmolLM2's tokenizer, the committed fixture) with an empty and a warm
// word cache, and SentencePieceTokenizer.encode (the small committed test model), on one core.
import Foundation
import Tokenizers

/// `Tests/TokenizersTests/Resources`, found from this file's place in the checkout.
let fixtures = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  .appendingPathComponent("Tests/TokenizersTests/Resources")

func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data("TokenizeBenchmark: \(message)\n".utf8))
  exit(1)
}

let arguments = CommandLine.arguments.dropFirst()
guard arguments.count == 1, let path = arguments.first, !path.hasPrefix("-") else {
  fail("usage: TokenizeBenchmark TEXT_FILE   (UTF-8 prose, e.g. ~700 KB; see benchmarks/tokenize/README.md)")
}
guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
  fail("\(path): cannot read UTF-8 text")
}

do {
  let clock = ContinuousClock()
  let bpe = try BPETokenizer(
    tokenizerJSON: fixtures.appendingPathComponent("smollm2/tokenizer.json"),
    tokenizerConfig: fixtures.appendingPathComponent("smollm2/tokenizer_config.json"))
  var count = 0
  let cold = try clock.measure { count = try bpe.encode(text).ids.count }
  let warm = try clock.measure { _ = try bpe.encode(text) }
  let sentencePiece = try SentencePieceTokenizer(
    modelFile: fixtures.appendingPathComponent("sentencepiece/tokenizer.model"))
  let sentencePieceTime = try clock.measure { _ = try sentencePiece.encode(text) }
  print(
    "\(text.utf8.count) bytes → \(count) SmolLM2 tokens; BPE cold cache \(cold), warm cache \(warm); SentencePiece \(sentencePieceTime)"
  )
} catch {
  fail("\(error)")
}
