import Foundation
import TestSupport
import Testing
import Tokenizers

/// One golden row written by scripts/make_tokenizer_fixtures.py.
struct GoldenCase: Decodable, Sendable, CustomTestStringConvertible {
  let text: String
  let ids: [Int32]
  let decoded: String
  var testDescription: String { String(reflecting: text) }
}

extension Fixtures {
  /// `Tests/TokenizersTests/Resources/<name>`.
  static func tokenizer(_ name: String) -> URL { resource(name, in: "TokenizersTests") }

  static func goldens(_ directory: String) throws -> [GoldenCase] {
    try JSONDecoder().decode([GoldenCase].self, from: Data(contentsOf: tokenizer("\(directory)/golden.json")))
  }

  struct GGUFVocab: Decodable {
    let pre: String
    let bos_token_id: Int32
    let eos_token_id: Int32
    let add_bos_token: Bool
    let tokens: [String]
    let token_type: [Int32]
    let merges: [String]
  }

  static let smolJSON: Result<BPETokenizer, any Error> = Result {
    try BPETokenizer(
      tokenizerJSON: tokenizer("smollm2/tokenizer.json"), tokenizerConfig: tokenizer("smollm2/tokenizer_config.json"))
  }

  static let smolGGUF: Result<BPETokenizer, any Error> = Result {
    let v = try JSONDecoder().decode(GGUFVocab.self, from: Data(contentsOf: tokenizer("smollm2/gguf_vocab.json")))
    return try BPETokenizer(
      tokens: v.tokens, merges: v.merges, tokenTypes: v.token_type, bosTokenID: v.bos_token_id,
      eosTokenID: v.eos_token_id,
      addBOS: v.add_bos_token, preTokenizer: v.pre)
  }

  static let llama3Style: Result<BPETokenizer, any Error> = Result {
    try BPETokenizer(tokenizerJSON: tokenizer("llama3style/tokenizer.json"))
  }

  static let sentencePiece: Result<SentencePieceTokenizer, any Error> = Result {
    try SentencePieceTokenizer(modelFile: tokenizer("sentencepiece/tokenizer.model"))
  }

  /// Readable mismatch report: text, expected ids, actual ids.
  static func mismatch(_ c: GoldenCase, _ actual: [Int32], _ t: any Tokenizer) -> String {
    func show(_ ids: [Int32]) -> String { ids.map { "\($0):\(t.tokenString(for: $0) ?? "?")" }.joined(separator: " ") }
    return
      "text \(String(reflecting: c.text))\n  expected \(c.ids)\n  actual   \(actual)\n  expected \(show(c.ids))\n  actual   \(show(actual))"
  }
}
