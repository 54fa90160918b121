import Checkpoints
import Foundation

extension BPETokenizer {
  /// Builds the byte-level BPE tokenizer a GGUF file carries in its `tokenizer.ggml.*` metadata.
  ///
  /// - Throws: ``TokenizerError`` if the metadata describes another tokenizer model (only
  ///   `gpt2`, i.e. byte-level BPE, is read from GGUF) or is inconsistent;
  ///   `CheckpointError.invalidConfig` naming a missing key.
  public convenience init(gguf: GGUFFile) throws {
    let model = try gguf.requiredString("tokenizer.ggml.model")
    guard model == "gpt2" else {
      throw TokenizerError.unsupported(
        file: gguf.url.path, path: "tokenizer.ggml.model", value: model)
    }
    let tokens = try gguf.requiredStringArray("tokenizer.ggml.tokens")
    let types =
      try gguf.metadata["tokenizer.ggml.token_type"] == nil
      ? [Int32](repeating: 1, count: tokens.count) : gguf.requiredInt32Array("tokenizer.ggml.token_type")
    try self.init(
      tokens: tokens,
      merges: try gguf.requiredStringArray("tokenizer.ggml.merges"),
      tokenTypes: types,
      bosTokenID: try Self.tokenID(gguf, "tokenizer.ggml.bos_token_id", count: tokens.count),
      eosTokenID: try Self.tokenID(gguf, "tokenizer.ggml.eos_token_id", count: tokens.count),
      addBOS: try gguf.optionalBool("tokenizer.ggml.add_bos_token") ?? false,
      preTokenizer: try gguf.optionalString("tokenizer.ggml.pre") ?? "gpt2")
  }
}

extension BPETokenizer {
  /// The token id at `key`, or `nil` when absent; any integer is read, and one outside
  /// `0..<count` (such as 2^32) is an error, never a trap.
  static func tokenID(_ gguf: GGUFFile, _ key: String, count: Int) throws -> Int32? {
    guard let id = try gguf.optionalInt(key) else { return nil }
    guard id >= 0, id < count, let narrow = Int32(exactly: id) else {
      throw TokenizerError.invalidGGUFVocabulary(reason: "\(key) \(id) is outside the \(count) tokens")
    }
    return narrow
  }
}

extension TokenizerLoader {
  /// Loads the tokenizer that belongs to the model at `location`: the one a GGUF file embeds, or
  /// a Hugging Face directory's `tokenizer.json` / `tokenizer.model` (``load(directory:)``).
  ///
  /// - Throws: ``TokenizerError`` or `CheckpointError`, naming the file.
  public static func load(model location: ModelLocation) throws -> any Tokenizer {
    switch location.kind {
    case .ggufFile: return try BPETokenizer(gguf: GGUFFile(url: location.url))
    case .huggingFaceDirectory: return try load(directory: location.url)
    }
  }

  /// Loads the tokenizer of the model at `path` (see `ModelLocation.init(classifying:)`).
  ///
  /// - Throws: `CheckpointError` when `path` is not a model; otherwise as ``load(model:)``.
  public static func load(modelPath path: URL) throws -> any Tokenizer {
    try load(model: ModelLocation(classifying: path))
  }
}

extension TokenizerLoader {
  /// The Hugging Face tokenizer files a model directory may hold.
  static let huggingFaceFileNames = [
    "tokenizer.json", "tokenizer_config.json", "tokenizer.model", "special_tokens_map.json",
  ]

  /// Writes the Hugging Face tokenizer files for the model at `location` into `directory`
  /// (atomically, see `AtomicFile`): `tokenizer.json` + `tokenizer_config.json` generated from a
  /// GGUF's metadata, or the tokenizer files of a Hugging Face directory copied as they are.
  ///
  /// - Returns: the file names written (empty if the model has no tokenizer).
  /// - Throws: ``TokenizerError``, `CheckpointError`, or `AtomicFileError`.
  public static func exportHuggingFaceFiles(model location: ModelLocation, to directory: URL) throws -> [String] {
    let fm = FileManager.default
    switch location.kind {
    case .huggingFaceDirectory:
      let source = location.url
      var written: [String] = []
      for name in huggingFaceFileNames where fm.fileExists(atPath: source.appendingPathComponent(name).path) {
        if source.standardizedFileURL != directory.standardizedFileURL {
          let data: Data
          do { data = try Data(contentsOf: source.appendingPathComponent(name)) } catch {
            throw TokenizerError.unreadableFile(
              file: source.appendingPathComponent(name).path, reason: error.localizedDescription)
          }
          try AtomicFile.write(data, to: directory.appendingPathComponent(name))
        }
        written.append(name)
      }
      return written
    case .ggufFile:
      guard let bpe = try load(model: location) as? BPETokenizer else { return [] }
      try AtomicFile.write(try bpe.tokenizerJSON(), to: directory.appendingPathComponent("tokenizer.json"))
      try AtomicFile.write(try bpe.tokenizerConfigJSON(), to: directory.appendingPathComponent("tokenizer_config.json"))
      return ["tokenizer.json", "tokenizer_config.json"]
    }
  }
}
