import Foundation
import TestSupport
import Testing
import Tokenizers

/// Encoding a text part by part (``Tokenizer/encodeIDs(_:from:length:)``) gives exactly the ids
/// of encoding it whole, for every golden string and for long generated documents, at every
/// part length: the proof that an extraction's bounded-memory tokenization changes no id
/// (issue 14, item 2).
@Suite struct PartEncodingTests {
  /// The concatenated ids of `text` encoded in parts of `length` scalars, and the part count.
  static func encodeInParts(_ t: any Tokenizer, _ text: String, length: Int) throws -> (ids: [Int32], parts: Int) {
    var ids: [Int32] = []
    var start = text.startIndex
    var parts = 0
    repeat {
      let part = try t.encodeIDs(text, from: start, length: length)
      #expect(part.end > start || text.isEmpty, "a part must make progress")
      ids += part.ids
      start = part.end
      parts += 1
    } while start < text.endIndex
    return (ids, parts)
  }

  /// SmolLM2 (GPT-2 regex after single digits), the same vocabulary with Llama 3's and Qwen 2's
  /// splits, the Llama-3-style file (NFC + an lstrip token: never cut) and SentencePiece.
  static let tokenizers: [(String, Result<any Tokenizer, any Error>)] = [
    ("smollm2-json", Fixtures.smolJSON.map { $0 as any Tokenizer }),
    ("smollm2-gguf", Fixtures.smolGGUF.map { $0 as any Tokenizer }),
    ("llama-bpe split", Result { try Fixtures.smolVocabulary(pre: "llama-bpe") }),
    ("qwen2 split", Result { try Fixtures.smolVocabulary(pre: "qwen2") }),
    ("gpt2 split", Result { try Fixtures.smolVocabulary(pre: "gpt2") }),
    ("llama3style", Fixtures.llama3Style.map { $0 as any Tokenizer }),
    ("sentencepiece", Fixtures.sentencePiece.map { $0 as any Tokenizer }),
  ]

  @Test(arguments: tokenizers.map(\.0))
  func goldenStringsGiveTheSameIdsInParts(name: String) throws {
    let t = try Self.tokenizers.first { $0.0 == name }!.1.get()
    let goldens =
      (try Fixtures.goldens("smollm2")) + (try Fixtures.goldens("llama3style"))
      + (try Fixtures.goldens("sentencepiece"))
    for c in goldens {
      let whole = try t.encodeIDs(c.text)
      for length in [1, 2, 3, 5, 8, 64] {
        let parts = try Self.encodeInParts(t, c.text, length: length)
        #expect(parts.ids == whole, "\(name), parts of \(length): \(String(reflecting: c.text))")
      }
    }
  }

  /// Seeded documents of a few thousand scalars mixing the troublesome classes: words, runs
  /// of spaces, lone and repeated newlines and CRs, digits, punctuation, contractions,
  /// accented letters, CJK, emoji, combining marks and special tokens.
  static func document(seed: UInt64, scalars count: Int) -> String {
    let pieces = [
      "the", "The", " ", "  ", "   ", "\n", "\n\n", "\r\n", "\t", "42", "1234567", ".", ",", "!?", "'s", "'ll", "'RE",
      "don't", "café", "é", "e\u{301}", "日本語", "😀", "👍🏽", "-", "—", "(", ")", "\"", "<|endoftext|>", "<|im_start|>",
      "ß", "Ω", "x", "quick", "fox", "\u{A0}", "½", "٣", "\u{200B}",
    ]
    var state = seed &+ 0x9E37_79B9_7F4A_7C15
    var text = ""
    while text.unicodeScalars.count < count {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      text += pieces[Int((state >> 33) % UInt64(pieces.count))]
    }
    return text
  }

  @Test(arguments: tokenizers.map(\.0))
  func longDocumentsGiveTheSameIdsInParts(name: String) throws {
    let t = try Self.tokenizers.first { $0.0 == name }!.1.get()
    for seed in 0..<6 as Range<UInt64> {
      let text = Self.document(seed: seed, scalars: 6000)
      let whole = try t.encodeIDs(text)
      for length in [1, 7, 100, 1000] {
        let parts = try Self.encodeInParts(t, text, length: length)
        #expect(parts.ids == whole, "\(name), seed \(seed), parts of \(length)")
        if name.hasPrefix("smollm2") || name.hasSuffix("split") {
          #expect(parts.parts >= min(50, 6000 / length / 2), "\(name) should cut this text into many parts")
        }
      }
    }
  }

  /// A document longer than an extraction's default part (65,536 scalars), in default parts.
  @Test func aDocumentLongerThanTheDefaultPartGivesTheSameIds() throws {
    let t = try Fixtures.smolGGUF.get()
    var text = ""
    for seed in 0..<50 as Range<UInt64> { text += Self.document(seed: seed, scalars: 3000) + "\n" }
    #expect(text.unicodeScalars.count > 1 << 17)
    let whole = try t.encodeIDs(text)
    let parts = try Self.encodeInParts(t, text, length: 1 << 16)
    #expect(parts.ids == whole)
    #expect(parts.parts >= 2)
  }
}

extension Fixtures {
  /// SmolLM2's vocabulary and merges under another GGUF pre-tokenizer name.
  static func smolVocabulary(pre: String) throws -> any Tokenizer {
    let v = try JSONDecoder().decode(GGUFVocab.self, from: Data(contentsOf: tokenizer("smollm2/gguf_vocab.json")))
    return try BPETokenizer(
      tokens: v.tokens, merges: v.merges, tokenTypes: v.token_type, bosTokenID: v.bos_token_id,
      eosTokenID: v.eos_token_id, addBOS: v.add_bos_token, preTokenizer: pre)
  }
}
