import Foundation

/// The `tokenizer.ggml.pre` names bae maps to split rules (as llama.cpp's `llama-vocab.cpp` does).
public enum GGUFPreTokenizer {
  /// Every accepted name.
  public static let knownNames = ["gpt2", "smollm", "starcoder", "refact", "llama-bpe", "llama3", "qwen2"]

  /// The pre-tokenizer pipeline for a `tokenizer.ggml.pre` name.
  ///
  /// `gpt2`: GPT-2's regex. `smollm`/`starcoder`/`refact`: each digit alone, then GPT-2's
  /// regex (HF: `Sequence[Digits(individual), ByteLevel]`). `llama-bpe`/`llama3`: Llama 3's
  /// regex. `qwen2`: Llama 3's regex with single digits. llama.cpp's `default` is a
  /// four-regex chain that no HF tokenizer.json uses, so it is rejected rather than guessed.
  static func pipeline(_ name: String) throws -> PreTokenizer {
    switch name {
    case "gpt2": return .byteLevel(useRegex: true)
    case "smollm", "starcoder", "refact": return .sequence([.digits(individual: true), .byteLevel(useRegex: true)])
    case "llama-bpe", "llama3": return .sequence([.split(.llama3(maxDigits: 3)), .byteLevel(useRegex: false)])
    case "qwen2": return .sequence([.split(.llama3(maxDigits: 1)), .byteLevel(useRegex: false)])
    default: throw TokenizerError.unknownGGUFPreTokenizer(name: name)
    }
  }
}

extension BPETokenizer {
  /// Builds the tokenizer from the arrays a GGUF file stores (`tokenizer.ggml.*`, model `gpt2`).
  ///
  /// - Parameters:
  ///   - tokens: `tokenizer.ggml.tokens`, byte-level strings indexed by id.
  ///   - merges: `tokenizer.ggml.merges`, `"a b"` in rank order.
  ///   - tokenTypes: `tokenizer.ggml.token_type` (1 normal, 2 unknown, 3 control, 4 user-defined,
  ///     5 unused, 6 byte); control and user-defined tokens are matched in text as HF added tokens
  ///     (control ones are special).
  ///   - bosTokenID: `tokenizer.ggml.bos_token_id`.
  ///   - eosTokenID: `tokenizer.ggml.eos_token_id`.
  ///   - addBOS: `tokenizer.ggml.add_bos_token`: prepend BOS when encoding.
  ///   - preTokenizer: `tokenizer.ggml.pre` (see ``GGUFPreTokenizer``).
  /// - Throws: ``TokenizerError/unknownGGUFPreTokenizer(name:)``, ``TokenizerError/invalidGGUFVocabulary(reason:)``,
  ///   or ``TokenizerError/invalidMerge(file:path:merge:reason:)``.
  public convenience init(
    tokens: [String], merges: [String], tokenTypes: [Int32], bosTokenID: Int32?, eosTokenID: Int32?, addBOS: Bool,
    preTokenizer: String
  ) throws {
    let pre = try GGUFPreTokenizer.pipeline(preTokenizer)
    guard tokenTypes.count == tokens.count else {
      throw TokenizerError.invalidGGUFVocabulary(reason: "\(tokens.count) tokens but \(tokenTypes.count) token types")
    }
    for (name, id) in [("bos", bosTokenID), ("eos", eosTokenID)] {
      if let id, id < 0 || Int(id) >= tokens.count {
        throw TokenizerError.invalidGGUFVocabulary(reason: "\(name) id \(id) is outside the \(tokens.count) tokens")
      }
    }
    if addBOS && bosTokenID == nil {
      throw TokenizerError.invalidGGUFVocabulary(reason: "add_bos_token is true but there is no bos_token_id")
    }
    var pairs: [(String, String)] = []
    pairs.reserveCapacity(merges.count)
    for (k, m) in merges.enumerated() {
      let parts = m.split(separator: " ", omittingEmptySubsequences: false)
      guard parts.count == 2 else {
        throw TokenizerError.invalidMerge(
          file: "GGUF", path: "tokenizer.ggml.merges[\(k)]", merge: m,
          reason: "expected two tokens separated by one space")
      }
      pairs.append((String(parts[0]), String(parts[1])))
    }
    var added: [AddedToken] = []
    for (id, type) in tokenTypes.enumerated() where type == 3 || type == 4 {
      added.append(
        AddedToken(
          id: Int32(id), content: tokens[id], special: type == 3, lstrip: false, rstrip: false, singleWord: false,
          normalized: false))
    }
    try self.init(
      definition: BPEDefinition(
        tokens: tokens, merges: pairs, addedTokens: added, ignoreMerges: false, normalizer: nil, preTokenizer: pre,
        prefixIDs: addBOS ? [bosTokenID!] : [], suffixIDs: [], byteLevelDecoder: true, bosTokenID: bosTokenID,
        eosTokenID: eosTokenID, file: "GGUF"))
  }
}
