import Foundation
import TestSupport
import Testing
import Tokenizers

@Suite struct TokenizerBehaviourTests {
  @Test func ggufTokenizerJSONReloadsToSameIDs() throws {
    let gguf = try Fixtures.smolGGUF.get()
    let data = try gguf.tokenizerJSON()
    let reloaded = try BPETokenizer(tokenizerJSONData: data, tokenizerConfigData: try gguf.tokenizerConfigJSON())
    for c in try Fixtures.goldens("smollm2") {
      #expect(try reloaded.encode(c.text).ids == c.ids, "\(String(reflecting: c.text))")
    }
    #expect(reloaded.vocabularySize == gguf.vocabularySize)
    #expect(reloaded.bosTokenID == 1 && reloaded.eosTokenID == 2)
  }

  @Test func ggufAddBOSAndLlama3Pre() throws {
    let l3 = try Fixtures.llama3Style.get()
    // Rebuild the llama3-style file's vocabulary as GGUF arrays with pre "llama-bpe".
    let root =
      try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.tokenizer("llama3style/tokenizer.json")))
      as! [String: Any]
    let model = root["model"] as! [String: Any]
    var tokens = [String](repeating: "", count: l3.vocabularySize)
    var types = [Int32](repeating: 1, count: l3.vocabularySize)
    for (t, id) in model["vocab"] as! [String: Int] { tokens[id] = t }
    for a in root["added_tokens"] as! [[String: Any]] {
      tokens[a["id"] as! Int] = a["content"] as! String
      types[a["id"] as! Int] = (a["special"] as! Bool) ? 3 : 4
    }
    let merges = (model["merges"] as! [[String]]).map { $0.joined(separator: " ") }
    let g = try BPETokenizer(
      tokens: tokens, merges: merges, tokenTypes: types, bosTokenID: l3.bosTokenID, eosTokenID: nil, addBOS: true,
      preTokenizer: "llama-bpe")
    // The fixture also NFC-normalizes and lstrips `<sep>`; compare where neither matters.
    for c in try Fixtures.goldens("llama3style")
    where !c.text.contains("<sep>")
      && Array(c.text.unicodeScalars) == Array(c.text.precomposedStringWithCanonicalMapping.unicodeScalars)
    {
      #expect(try g.encode(c.text).ids == c.ids, "\(String(reflecting: c.text))")
    }
  }

  @Test func offsetsCoverTheTextInOrder() throws {
    let t = try Fixtures.smolJSON.get()
    let text = "Hello, wörld 👍🏽 <|im_start|>user\n12 ok"
    let e = try t.encode(text)
    let bytes = Array(text.utf8)
    var position = 0
    for r in e.offsets {
      #expect(r.lowerBound == position)
      position = r.upperBound
    }
    #expect(position == bytes.count)
    let special = e.ids.firstIndex(of: 1)!
    #expect(String(decoding: bytes[e.offsets[special]], as: UTF8.self) == "<|im_start|>")
  }

  @Test func bosGetsAnEmptyRange() throws {
    let t = try Fixtures.llama3Style.get()
    let e = try t.encode("Hi there")
    #expect(e.ids.first == t.bosTokenID && e.offsets.first == 0..<0)
    let sp = try Fixtures.sentencePiece.get()
    let s = try sp.encode("Hi there")
    #expect(s.ids.first == 1 && s.offsets.first == 0..<0)
    let bytes = Array("Hi there".utf8)
    #expect(s.offsets.dropFirst().allSatisfy { $0.upperBound <= bytes.count })
  }

  @Test func partialUTF8DecodesToReplacement() throws {
    let t = try Fixtures.smolJSON.get()
    let ids = try t.encode("😀").ids
    #expect(ids.count > 1)
    let prefix = t.decode(Array(ids.dropLast()))
    #expect(prefix.unicodeScalars.allSatisfy { $0 == "\u{FFFD}" })
    #expect(t.decode(ids) == "😀")
  }

  @Test func loaderPicksTheRightTokenizer() throws {
    let smol = try TokenizerLoader.load(directory: Fixtures.tokenizer("smollm2"))
    #expect(smol is BPETokenizer && smol.bosTokenID == 1 && smol.eosTokenID == 2 && smol.vocabularySize == 49152)
    #expect(try smol.encode("Hi").ids.first != 1)  // add_bos_token false
    let sp = try TokenizerLoader.load(directory: Fixtures.tokenizer("sentencepiece"))
    #expect(sp is SentencePieceTokenizer && sp.vocabularySize == 1000 && sp.tokenString(for: 1) == "<s>")
  }
}
