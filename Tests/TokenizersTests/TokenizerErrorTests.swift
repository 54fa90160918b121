import Foundation
import TestSupport
import Testing
import Tokenizers

/// Malformed or unsupported tokenizer files give a typed error naming the file and field.
@Suite struct TokenizerErrorTests {
  private static var good: [String: Any] {
    [
      "added_tokens": [["id": 3, "content": "<s>", "special": true]],
      "normalizer": NSNull(),
      "pre_tokenizer": ["type": "ByteLevel", "add_prefix_space": false, "use_regex": true],
      "post_processor": NSNull(),
      "decoder": ["type": "ByteLevel"],
      "model": ["type": "BPE", "vocab": ["a": 0, "b": 1, "ab": 2], "merges": ["a b"]],
    ]
  }

  private func load(_ edit: (inout [String: Any]) -> Void) throws -> BPETokenizer {
    var root = Self.good
    edit(&root)
    return try BPETokenizer(tokenizerJSONData: JSONSerialization.data(withJSONObject: root), fileName: "t.json")
  }

  private func setModel(_ root: inout [String: Any], _ key: String, _ value: Any?) {
    var model = root["model"] as! [String: Any]
    model[key] = value
    root["model"] = model
  }

  @Test func validFileLoadsAndMerges() throws {
    let t = try load { _ in }
    #expect(try t.encode("abab<s>a").ids == [2, 2, 3, 0])
  }

  @Test func malformedJSON() {
    do {
      _ = try BPETokenizer(tokenizerJSONData: Data("{not json".utf8), fileName: "t.json")
      Issue.record("no error")
    } catch let e as TokenizerError {
      guard case .malformedJSON(let file, let path, _) = e else {
        Issue.record("\(e)")
        return
      }
      #expect(file == "t.json" && path == "$")
    } catch { Issue.record("\(error)") }
  }

  @Test func missingMerges() {
    #expect(throws: TokenizerError.missingField(file: "t.json", path: "model.merges")) {
      try load { setModel(&$0, "merges", nil) }
    }
  }

  @Test func missingVocab() {
    #expect(throws: TokenizerError.missingField(file: "t.json", path: "model.vocab")) {
      try load { setModel(&$0, "vocab", nil) }
    }
  }

  @Test func missingModel() {
    #expect(throws: TokenizerError.missingField(file: "t.json", path: "model")) { try load { $0["model"] = nil } }
  }

  @Test func wrongFieldType() {
    #expect(
      throws: TokenizerError.malformedJSON(
        file: "t.json", path: "model.vocab.a", reason: "expected an integer, found a string")
    ) {
      try load { setModel(&$0, "vocab", ["a": "zero", "b": 1, "ab": 2]) }
    }
  }

  @Test func unknownModelType() {
    #expect(throws: TokenizerError.unsupported(file: "t.json", path: "model.type", value: "\"WordPiece\"")) {
      try load { setModel(&$0, "type", "WordPiece") }
    }
  }

  @Test func unknownPreTokenizer() {
    #expect(
      throws: TokenizerError.unsupported(
        file: "t.json", path: "pre_tokenizer.pretokenizers[1].type", value: "\"Whitespace\"")
    ) {
      try load {
        $0["pre_tokenizer"] = [
          "type": "Sequence",
          "pretokenizers": [["type": "ByteLevel", "add_prefix_space": false], ["type": "Whitespace"]],
        ]
      }
    }
  }

  @Test func unknownNormalizer() {
    #expect(throws: TokenizerError.unsupported(file: "t.json", path: "normalizer.type", value: "\"Lowercase\"")) {
      try load { $0["normalizer"] = ["type": "Lowercase"] }
    }
  }

  @Test func unknownPostProcessorAndDecoder() {
    #expect(
      throws: TokenizerError.unsupported(file: "t.json", path: "post_processor.type", value: "\"BertProcessing\"")
    ) {
      try load { $0["post_processor"] = ["type": "BertProcessing"] }
    }
    #expect(throws: TokenizerError.unsupported(file: "t.json", path: "decoder.type", value: "\"WordPiece\"")) {
      try load { $0["decoder"] = ["type": "WordPiece"] }
    }
  }

  @Test func mergeOutOfVocabulary() {
    #expect(
      throws: TokenizerError.invalidMerge(
        file: "t.json", path: "model.merges[0]", merge: "a c", reason: "`c` is not in the vocabulary")
    ) {
      try load { setModel(&$0, "merges", ["a c"]) }
    }
    #expect(
      throws: TokenizerError.invalidMerge(
        file: "t.json", path: "model.merges[0]", merge: "a b c", reason: "expected two tokens separated by one space")
    ) {
      try load { setModel(&$0, "merges", ["a b c"]) }
    }
  }

  @Test func mergesAsPairs() throws {
    let t = try load { setModel(&$0, "merges", [["a", "b"]]) }
    #expect(try t.encode("ab").ids == [2])
  }

  @Test func badRegex() throws {
    do {
      _ = try load {
        $0["pre_tokenizer"] = [
          "type": "Sequence",
          "pretokenizers": [
            ["type": "Split", "pattern": ["Regex": "(unclosed"], "behavior": "Isolated", "invert": false],
            ["type": "ByteLevel", "add_prefix_space": false, "use_regex": false],
          ],
        ]
      }
      Issue.record("no error")
    } catch let e as TokenizerError {
      guard case .invalidPattern(_, let path, let pattern, _) = e else {
        Issue.record("\(e)")
        return
      }
      #expect(path == "pre_tokenizer.pretokenizers[0].pattern" && pattern == "(unclosed")
    }
  }

  @Test func unknownGGUFPreTokenizer() {
    #expect(throws: TokenizerError.unknownGGUFPreTokenizer(name: "mystery")) {
      try BPETokenizer(
        tokens: ["a"], merges: [], tokenTypes: [1], bosTokenID: nil, eosTokenID: nil, addBOS: false,
        preTokenizer: "mystery")
    }
    #expect(throws: TokenizerError.invalidGGUFVocabulary(reason: "1 tokens but 2 token types")) {
      try BPETokenizer(
        tokens: ["a"], merges: [], tokenTypes: [1, 1], bosTokenID: nil, eosTokenID: nil, addBOS: false,
        preTokenizer: "gpt2")
    }
  }

  @Test func missingDirectoryAndBadSentencePieceModel() throws {
    let dir = try ScratchDirectory().url
    #expect(throws: TokenizerError.noTokenizerFile(directory: dir.path)) { try TokenizerLoader.load(directory: dir) }
    let model = dir.appendingPathComponent("tokenizer.model")
    try Data("not a model".utf8).write(to: model)
    do {
      _ = try TokenizerLoader.load(directory: dir)
      Issue.record("no error")
    } catch let e as TokenizerError {
      guard case .sentencePiece(let file, _) = e else {
        Issue.record("\(e)")
        return
      }
      #expect(file == model.path)
    }
  }
}
