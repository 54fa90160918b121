import Foundation
import JSONSupport

extension BPETokenizer {
  /// Loads a Hugging Face `tokenizer.json` (byte-level BPE), with its `tokenizer_config.json` when given.
  ///
  /// From the config it reads `bos_token`, `eos_token` and `add_bos_token` (which, when
  /// present, decides whether BOS is prepended, overriding the post-processor).
  /// - Throws: ``TokenizerError`` naming the file and the JSON path of anything malformed,
  ///   missing or unsupported.
  public convenience init(tokenizerJSON: URL, tokenizerConfig: URL? = nil) throws {
    let data = try Self.read(tokenizerJSON)
    let config = try tokenizerConfig.map { try Self.read($0) }
    try self.init(
      tokenizerJSONData: data, tokenizerConfigData: config, fileName: tokenizerJSON.lastPathComponent,
      configFileName: tokenizerConfig?.lastPathComponent ?? "tokenizer_config.json")
  }

  /// Loads a `tokenizer.json` already in memory. `fileName` is used in error messages.
  public convenience init(
    tokenizerJSONData: Data, tokenizerConfigData: Data? = nil, fileName: String = "tokenizer.json",
    configFileName: String = "tokenizer_config.json"
  ) throws {
    let definition = try TokenizerError.reportingJSON {
      let root = try JSONElement.parse(tokenizerJSONData, document: fileName)
      let config = try tokenizerConfigData.map { data throws(JSONError) in
        try JSONElement.parse(data, document: configFileName)
      }
      return try Self.parseDefinition(root, config: config)
    }
    try self.init(definition: definition)
  }

  private static func read(_ url: URL) throws -> Data {
    do { return try Data(contentsOf: url) } catch {
      throw TokenizerError.unreadableFile(file: url.path, reason: error.localizedDescription)
    }
  }

  static func parseDefinition(_ root: JSONElement, config: JSONElement?) throws -> BPEDefinition {
    let file = root.document
    let model = try root.required("model")
    if let type = try model.optional("type")?.string(), type != "BPE" {
      throw TokenizerError.unsupported(file: file, path: "model.type", value: "\"\(type)\"")
    }
    if try model.bool("byte_fallback", default: false) {
      throw TokenizerError.unsupported(file: file, path: "model.byte_fallback", value: "true")
    }
    for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
      if let v = try model.optional(key)?.string(), !v.isEmpty {
        throw TokenizerError.unsupported(file: file, path: "model.\(key)", value: "\"\(v)\"")
      }
    }
    if let dropout = try model.optional("dropout"), case .number(let p) = dropout.value, p > 0 {
      throw TokenizerError.unsupported(file: file, path: "model.dropout", value: "\(p)")
    }

    // Vocabulary and added tokens.
    var tokens: [String?] = []
    func put(_ token: String, _ id: Int, path: String) throws {
      guard id >= 0, id < 10_000_000 else {
        throw TokenizerError.malformedJSON(file: file, path: path, reason: "token id \(id) is out of range")
      }
      if id >= tokens.count { tokens.append(contentsOf: repeatElement(nil, count: id + 1 - tokens.count)) }
      tokens[id] = token
    }
    for (token, node) in try model.required("vocab").members() { try put(token, try node.int(), path: node.path) }
    var added: [AddedToken] = []
    for node in try root.optional("added_tokens")?.array() ?? [] {
      let id = try node.required("id").int()
      let content = try node.required("content").string()
      try put(content, id, path: "\(node.path).id")
      added.append(
        AddedToken(
          id: Int32(id), content: content, special: try node.bool("special", default: false),
          lstrip: try node.bool("lstrip", default: false), rstrip: try node.bool("rstrip", default: false),
          singleWord: try node.bool("single_word", default: false),
          normalized: try node.bool("normalized", default: false)))
    }

    var merges: [(String, String)] = []
    for node in try model.required("merges").array() {
      switch node.value {
      case .string(let s):
        let parts = s.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
          throw TokenizerError.invalidMerge(
            file: file, path: node.path, merge: s, reason: "expected two tokens separated by one space")
        }
        merges.append((String(parts[0]), String(parts[1])))
      case .array(let pair):
        guard pair.count == 2, case .string(let a) = pair[0], case .string(let b) = pair[1] else {
          throw TokenizerError.invalidMerge(
            file: file, path: node.path, merge: "\(pair.count) values", reason: "expected a pair of strings")
        }
        merges.append((a, b))
      default:
        throw TokenizerError.malformedJSON(
          file: file, path: node.path, reason: "expected a string or a pair, found \(node.value.typeName)")
      }
    }

    let normalizer = try root.optional("normalizer").map(Normalizer.parse)
    guard let preNode = try root.optional("pre_tokenizer") else {
      throw TokenizerError.missingField(file: file, path: "pre_tokenizer")
    }
    let pre = try parsePreTokenizer(preNode)
    var (prefix, suffix) = try root.optional("post_processor").map(parsePostProcessor) ?? ([], [])
    let byteLevelDecoder = try root.optional("decoder").map(parseDecoder) ?? false

    // Special tokens named by the config.
    func tokenID(_ key: String) throws -> Int32? {
      guard let node = try config?.optional(key) else { return nil }
      let name: String
      if case .object = node.value { name = try node.required("content").string() } else { name = try node.string() }
      guard let id = tokens.firstIndex(where: { $0 == name }) else {
        throw TokenizerError.malformedJSON(
          file: node.document, path: node.path, reason: "token \"\(name)\" is not in the vocabulary")
      }
      return Int32(id)
    }
    let bos = try tokenID("bos_token") ?? prefix.first
    let eos = try tokenID("eos_token")
    if let addBOS = try config?.optional("add_bos_token")?.bool(), let bos {
      if addBOS, prefix.first != bos { prefix.insert(bos, at: 0) }
      if !addBOS, prefix.first == bos { prefix.removeFirst() }
    }
    if let addEOS = try config?.optional("add_eos_token")?.bool(), addEOS, let eos, suffix.last != eos {
      suffix.append(eos)
    }

    return BPEDefinition(
      tokens: tokens, merges: merges, addedTokens: added, ignoreMerges: try model.bool("ignore_merges", default: false),
      normalizer: normalizer, preTokenizer: pre, prefixIDs: prefix, suffixIDs: suffix,
      byteLevelDecoder: byteLevelDecoder,
      bosTokenID: bos, eosTokenID: eos, file: file)
  }

  static func parsePreTokenizer(_ node: JSONElement) throws -> PreTokenizer {
    let type = try node.type()
    switch type {
    case "ByteLevel":
      if try node.bool("add_prefix_space", default: true) {
        throw TokenizerError.unsupported(file: node.document, path: "\(node.path).add_prefix_space", value: "true")
      }
      return .byteLevel(useRegex: try node.bool("use_regex", default: true))
    case "Digits":
      return .digits(individual: try node.bool("individual_digits", default: false))
    case "Sequence":
      return .sequence(try node.required("pretokenizers").array().map(parsePreTokenizer))
    case "Split":
      let behavior = try node.required("behavior").string()
      guard behavior.lowercased() == "isolated" else {
        throw TokenizerError.unsupported(file: node.document, path: "\(node.path).behavior", value: "\"\(behavior)\"")
      }
      if try node.bool("invert", default: false) {
        throw TokenizerError.unsupported(file: node.document, path: "\(node.path).invert", value: "true")
      }
      let patternNode = try node.required("pattern")
      let pattern: String
      if let regex = try patternNode.optional("Regex") {
        pattern = try regex.string()
      } else if let literal = try patternNode.optional("String") {
        pattern = NSRegularExpression.escapedPattern(for: try literal.string())
      } else {
        throw TokenizerError.missingField(file: node.document, path: "\(patternNode.path).Regex")
      }
      do { return .split(try SplitRule.forPattern(pattern)) } catch {
        throw TokenizerError.invalidPattern(
          file: node.document, path: patternNode.path, pattern: pattern, reason: "\(error)")
      }
    default:
      throw TokenizerError.unsupported(file: node.document, path: "\(node.path).type", value: "\"\(type)\"")
    }
  }

  /// The ids a post-processor adds before and after a single sequence.
  static func parsePostProcessor(_ node: JSONElement) throws -> ([Int32], [Int32]) {
    let type = try node.type()
    switch type {
    case "ByteLevel":
      return ([], [])
    case "Sequence":
      var prefix: [Int32] = []
      var suffix: [Int32] = []
      for step in try node.required("processors").array() {
        let (p, s) = try parsePostProcessor(step)
        prefix += p
        suffix = s + suffix
      }
      return (prefix, suffix)
    case "TemplateProcessing":
      var specials: [String: [Int32]] = [:]
      for (name, entry) in try node.optional("special_tokens")?.members() ?? [] {
        specials[name] = try entry.required("ids").array().map { node in
          guard let id = Int32(exactly: try node.int()), id >= 0 else {
            throw TokenizerError.malformedJSON(
              file: node.document, path: node.path, reason: "token id \(try node.int()) is out of range")
          }
          return id
        }
      }
      var prefix: [Int32] = []
      var suffix: [Int32] = []
      var seenSequence = false
      for item in try node.required("single").array() {
        if let special = try item.optional("SpecialToken") {
          let name = try special.required("id").string()
          guard let ids = specials[name] else {
            throw TokenizerError.malformedJSON(
              file: node.document, path: "\(special.path).id", reason: "\"\(name)\" is not in `special_tokens`")
          }
          if seenSequence { suffix += ids } else { prefix += ids }
        } else if try item.optional("Sequence") != nil {
          seenSequence = true
        } else {
          throw TokenizerError.malformedJSON(
            file: node.document, path: item.path, reason: "expected SpecialToken or Sequence")
        }
      }
      return (prefix, suffix)
    default:
      throw TokenizerError.unsupported(file: node.document, path: "\(node.path).type", value: "\"\(type)\"")
    }
  }

  /// True for a ByteLevel decoder.
  static func parseDecoder(_ node: JSONElement) throws -> Bool {
    let type = try node.type()
    guard type == "ByteLevel" else {
      throw TokenizerError.unsupported(file: node.document, path: "\(node.path).type", value: "\"\(type)\"")
    }
    return true
  }
}
