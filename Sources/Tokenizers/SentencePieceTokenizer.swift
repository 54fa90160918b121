import CSentencePiece
import Foundation
import JSONSupport

/// A SentencePiece tokenizer (`tokenizer.model`, Llama 2 / TinyLlama style) run by libsentencepiece,
/// giving the ids of Hugging Face's `LlamaTokenizer` (transformers 5, its defaults).
///
/// HF conventions reproduced: BOS prepended (unless `tokenizer_config.json` says
/// `add_bos_token: false`); the unknown, BOS and EOS pieces are matched as special tokens
/// in the text; the dummy-prefix space is added only at the start of the text and only
/// when the text does not already start with a space (Metaspace `prepend_scheme: "first"`,
/// i.e. `legacy=False`); byte fallback as in the model. Decoding follows HF's decoder
/// chain: `▁` → space, `<0xXX>` → byte, then one leading space removed.
public final class SentencePieceTokenizer: Tokenizer, @unchecked Sendable {
  // The processor is only read after loading; libsentencepiece's const methods are thread-safe.
  private let processor: OpaquePointer
  private let pieces: [String]
  private let isByte: [Bool]
  private let specials: [(bytes: [UInt8], id: Int32)]
  private let addBOS: Bool
  private let file: String

  public let vocabularySize: Int
  public let bosTokenID: Int32?
  public let eosTokenID: Int32?
  /// The id of the unknown piece.
  public let unknownTokenID: Int32

  /// Loads a `.model` file.
  /// - Parameters:
  ///   - modelFile: the SentencePiece model.
  ///   - tokenizerConfig: an optional `tokenizer_config.json`; its `add_bos_token` is honoured.
  /// - Throws: ``TokenizerError/sentencePiece(file:message:)`` when the model does not load.
  public init(modelFile: URL, tokenizerConfig: URL? = nil) throws {
    file = modelFile.path
    var error: UnsafeMutablePointer<CChar>?
    guard let p = bae_sp_load(modelFile.path, 1, &error) else {
      let message = error.map { String(cString: $0) } ?? "unknown error"
      bae_sp_free_string(error)
      throw TokenizerError.sentencePiece(file: modelFile.path, message: message)
    }
    processor = p
    let n = Int(bae_sp_vocab_size(p))
    vocabularySize = n
    var pieces: [String] = []
    var isByte: [Bool] = []
    pieces.reserveCapacity(n)
    for id in 0..<Int32(n) {
      let s = bae_sp_id_to_piece(p, id)
      pieces.append(s.map { String(cString: $0) } ?? "")
      bae_sp_free_string(s)
      isByte.append(bae_sp_is_byte(p, id) != 0)
    }
    self.pieces = pieces
    self.isByte = isByte
    let bos = bae_sp_bos_id(p)
    let eos = bae_sp_eos_id(p)
    let unk = bae_sp_unk_id(p)
    bosTokenID = bos >= 0 ? bos : nil
    eosTokenID = eos >= 0 ? eos : nil
    unknownTokenID = unk
    specials = [unk, bos, eos].filter { $0 >= 0 }.map { (Array(pieces[Int($0)].utf8), $0) }
      .sorted { $0.bytes.count > $1.bytes.count }
    var add = true
    if let tokenizerConfig {
      let data: Data
      do { data = try Data(contentsOf: tokenizerConfig) } catch {
        bae_sp_free(p)
        throw TokenizerError.unreadableFile(file: tokenizerConfig.path, reason: error.localizedDescription)
      }
      do {
        add = try TokenizerError.reportingJSON {
          let root = try JSONElement.parse(data, document: tokenizerConfig.lastPathComponent)
          return try root.optional("add_bos_token")?.bool() ?? true
        }
      } catch {
        bae_sp_free(p)
        throw error
      }
    }
    addBOS = add && bos >= 0
  }

  deinit { bae_sp_free(processor) }

  public func tokenString(for id: Int32) -> String? {
    guard id >= 0, Int(id) < pieces.count else { return nil }
    return pieces[Int(id)]
  }

  /// Encodes as HF `LlamaTokenizer(text)` does; offsets are UTF-8 byte ranges (the dummy prefix maps to `0..<0`).
  /// - Throws: ``TokenizerError/sentencePiece(file:message:)`` when libsentencepiece fails.
  public func encode(_ text: String) throws -> Encoding {
    let bytes = Array(text.utf8)
    var ids: [Int32] = []
    var offsets: [Range<Int>] = []
    if addBOS, let bos = bosTokenID {
      ids.append(bos)
      offsets.append(0..<0)
    }
    var start = 0
    var i = 0
    while i < bytes.count {
      if let special = specials.first(where: { matches($0.bytes, bytes, at: i) }) {
        try encodeSegment(bytes, start..<i, into: &ids, &offsets)
        ids.append(special.id)
        offsets.append(i..<(i + special.bytes.count))
        i += special.bytes.count
        start = i
      } else {
        i += 1
      }
    }
    try encodeSegment(bytes, start..<bytes.count, into: &ids, &offsets)
    return Encoding(ids: ids, offsets: offsets)
  }

  private func matches(_ pattern: [UInt8], _ bytes: [UInt8], at i: Int) -> Bool {
    guard !pattern.isEmpty, i + pattern.count <= bytes.count else { return false }
    for k in 0..<pattern.count where bytes[i + k] != pattern[k] { return false }
    return true
  }

  private func encodeSegment(
    _ bytes: [UInt8], _ range: Range<Int>, into ids: inout [Int32], _ offsets: inout [Range<Int>]
  ) throws {
    guard !range.isEmpty else { return }
    // Metaspace "first": a space before the first segment, unless the text starts with one.
    let prefix = range.lowerBound == 0 && bytes[0] != 0x20
    var input: [UInt8] = prefix ? [0x20] : []
    input += bytes[range]
    var out = bae_sp_encoding()
    var error: UnsafeMutablePointer<CChar>?
    let status = input.withUnsafeBufferPointer { buf in
      buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) {
        bae_sp_encode(processor, $0, buf.count, &out, &error)
      }
    }
    defer { bae_sp_free_encoding(&out) }
    guard status == 0 else {
      let message = error.map { String(cString: $0) } ?? "encode failed"
      bae_sp_free_string(error)
      throw TokenizerError.sentencePiece(file: file, message: message)
    }
    let shift = range.lowerBound - (prefix ? 1 : 0)
    for k in 0..<out.count {
      ids.append(out.ids[k])
      let a = max(Int(out.begins[k]) + shift, range.lowerBound)
      let b = max(Int(out.ends[k]) + shift, a)
      offsets.append(a..<b)
    }
  }

  /// Decodes as HF does with `skip_special_tokens=False`.
  public func decode(_ ids: [Int32]) -> String {
    var bytes: [UInt8] = []
    for id in ids where id >= 0 && Int(id) < pieces.count {
      let piece = pieces[Int(id)]
      if isByte[Int(id)], let b = UInt8(piece.dropFirst(3).dropLast(), radix: 16) {
        bytes.append(b)
      } else {
        for s in piece.unicodeScalars {
          if s == "\u{2581}" { bytes.append(0x20) } else { UTF8.encode(s) { bytes.append($0) } }
        }
      }
    }
    if bytes.first == 0x20 { bytes.removeFirst() }
    return String(decoding: bytes, as: UTF8.self)
  }
}
