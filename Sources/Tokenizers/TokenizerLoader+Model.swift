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
    let types = try gguf.metadata["tokenizer.ggml.token_type"] == nil
      ? [Int32](repeating: 1, count: tokens.count) : gguf.requiredInt32Array("tokenizer.ggml.token_type")
    try self.init(
      tokens: tokens,
      merges: try gguf.requiredStringArray("tokenizer.ggml.merges"),
      tokenTypes: types,
      bosTokenID: try gguf.optionalInt("tokenizer.ggml.bos_token_id").map { Int32($0) },
      eosTokenID: try gguf.optionalInt("tokenizer.ggml.eos_token_id").map { Int32($0) },
      addBOS: try gguf.optionalBool("tokenizer.ggml.add_bos_token") ?? false,
      preTokenizer: try gguf.optionalString("tokenizer.ggml.pre") ?? "gpt2")
  }
}

extension TokenizerLoader {
  /// Loads the tokenizer that belongs to a model path as `bae` accepts it: a `.gguf` file (its
  /// embedded tokenizer), a directory holding one `.gguf`, or a Hugging Face directory
  /// (`tokenizer.json` / `tokenizer.model`).
  ///
  /// - Throws: ``TokenizerError`` or `CheckpointError`, naming the file.
  public static func load(modelPath path: URL) throws -> any Tokenizer {
    var isDirectory: ObjCBool = false
    _ = FileManager.default.fileExists(atPath: path.path, isDirectory: &isDirectory)
    if !isDirectory.boolValue, path.pathExtension.lowercased() == "gguf" {
      return try BPETokenizer(gguf: GGUFFile(url: path))
    }
    let fm = FileManager.default
    let hasHFTokenizer = ["tokenizer.json", "tokenizer.model"].contains {
      fm.fileExists(atPath: path.appendingPathComponent($0).path)
    }
    if isDirectory.boolValue, !hasHFTokenizer {
      let ggufs = ((try? fm.contentsOfDirectory(atPath: path.path)) ?? []).filter { $0.lowercased().hasSuffix(".gguf") }
      if ggufs.count == 1 { return try BPETokenizer(gguf: GGUFFile(url: path.appendingPathComponent(ggufs[0]))) }
    }
    return try load(directory: path)
  }
}

extension TokenizerLoader {
  /// Writes the Hugging Face tokenizer files for the model at `path` into `directory`:
  /// `tokenizer.json` + `tokenizer_config.json` generated from a GGUF's metadata, or the
  /// tokenizer files of a Hugging Face directory copied as they are.
  ///
  /// - Returns: the file names written (empty if the model has no tokenizer).
  /// - Throws: ``TokenizerError`` or a file-system error.
  public static func exportHuggingFaceFiles(modelPath path: URL, to directory: URL) throws -> [String] {
    let fm = FileManager.default
    var isDirectory: ObjCBool = false
    _ = fm.fileExists(atPath: path.path, isDirectory: &isDirectory)
    let names = ["tokenizer.json", "tokenizer_config.json", "tokenizer.model", "special_tokens_map.json"]
    if isDirectory.boolValue, fm.fileExists(atPath: path.appendingPathComponent("config.json").path) {
      var written: [String] = []
      for name in names where fm.fileExists(atPath: path.appendingPathComponent(name).path) {
        let target = directory.appendingPathComponent(name)
        if path.standardizedFileURL != directory.standardizedFileURL {
          try? fm.removeItem(at: target)
          try fm.copyItem(at: path.appendingPathComponent(name), to: target)
        }
        written.append(name)
      }
      return written
    }
    guard let bpe = try load(modelPath: path) as? BPETokenizer else { return [] }
    try bpe.tokenizerJSON().write(to: directory.appendingPathComponent("tokenizer.json"), options: .atomic)
    try bpe.tokenizerConfigJSON().write(to: directory.appendingPathComponent("tokenizer_config.json"), options: .atomic)
    return ["tokenizer.json", "tokenizer_config.json"]
  }
}
