import Foundation
import JSONSupport

extension BPETokenizer {
  /// A Hugging Face `tokenizer.json` equivalent to this tokenizer (reloading it gives the same ids).
  ///
  /// Used by `bae convert` to emit a tokenizer next to converted weights.
  /// - Throws: nothing today; kept throwing for pipeline stages that may have no JSON form.
  public func tokenizerJSON() throws -> Data {
    let d = definition
    var vocab: [String: JSONValue] = [:]
    let addedIDs = Set(d.addedTokens.map(\.id))
    for (id, t) in d.tokens.enumerated() where !addedIDs.contains(Int32(id)) {
      if let t, vocab[t] == nil { vocab[t] = JSONValue(id) }
    }
    let added: [JSONValue] = d.addedTokens.map {
      [
        "id": JSONValue(Int($0.id)), "content": .string($0.content), "single_word": .bool($0.singleWord),
        "lstrip": .bool($0.lstrip), "rstrip": .bool($0.rstrip), "normalized": .bool($0.normalized),
        "special": .bool($0.special),
      ]
    }
    func name(_ id: Int32) -> JSONValue { .string(d.tokens[Int(id)] ?? "") }
    func special(_ id: Int32, typeID: Int) -> JSONValue {
      ["SpecialToken": ["id": name(id), "type_id": JSONValue(typeID)]]
    }
    let postProcessor: JSONValue
    if d.prefixIDs.isEmpty && d.suffixIDs.isEmpty {
      postProcessor = ["type": "ByteLevel", "add_prefix_space": true, "trim_offsets": false, "use_regex": true]
    } else {
      var single = d.prefixIDs.map { special($0, typeID: 0) }
      single.append(["Sequence": ["id": "A", "type_id": 0]])
      single += d.suffixIDs.map { special($0, typeID: 0) }
      var specials: [String: JSONValue] = [:]
      for id in d.prefixIDs + d.suffixIDs {
        specials[d.tokens[Int(id)] ?? ""] = ["id": name(id), "ids": [JSONValue(Int(id))], "tokens": [name(id)]]
      }
      var pair = single
      pair += d.prefixIDs.map { special($0, typeID: 1) }
      pair.append(["Sequence": ["id": "B", "type_id": 1]])
      pair += d.suffixIDs.map { special($0, typeID: 1) }
      postProcessor = [
        "type": "TemplateProcessing", "single": .array(single), "pair": .array(pair),
        "special_tokens": .object(specials),
      ]
    }
    let root: JSONValue = [
      "version": "1.0", "truncation": .null, "padding": .null, "added_tokens": .array(added),
      "normalizer": d.normalizer?.json ?? .null, "pre_tokenizer": d.preTokenizer.json,
      "post_processor": postProcessor,
      "decoder": d.byteLevelDecoder
        ? ["type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true] : .null,
      "model": [
        "type": "BPE", "dropout": .null, "unk_token": .null, "continuing_subword_prefix": "", "end_of_word_suffix": "",
        "fuse_unk": false, "byte_fallback": false, "ignore_merges": .bool(d.ignoreMerges), "vocab": .object(vocab),
        "merges": .array(d.merges.map { .string("\($0.0) \($0.1)") }),
      ],
    ]
    return root.serialized()
  }

  /// A `tokenizer_config.json` carrying BOS/EOS and whether BOS is prepended, to sit next to ``tokenizerJSON()``.
  ///
  /// - Throws: nothing today (see ``tokenizerJSON()``).
  public func tokenizerConfigJSON() throws -> Data {
    let d = definition
    var config: [String: JSONValue] = [
      "add_bos_token": .bool(!d.prefixIDs.isEmpty && d.prefixIDs.first == d.bosTokenID)
    ]
    if let bos = d.bosTokenID, let t = d.tokens[Int(bos)] { config["bos_token"] = .string(t) }
    if let eos = d.eosTokenID, let t = d.tokens[Int(eos)] { config["eos_token"] = .string(t) }
    return JSONValue.object(config).serialized(pretty: true)
  }
}
