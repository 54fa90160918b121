/// GPT-2's reversible byte ↔ printable-character table.
///
/// Printable Latin-1 bytes (`!`…`~`, `¡`…`¬`, `®`…`ÿ`) map to themselves; the other
/// 68 bytes map, in order, to U+0100, U+0101, …  (so a space becomes `Ġ`, U+0120).
/// Port of `bytes_to_unicode` in openai/gpt-2 `encoder.py` and HF tokenizers `byte_level.rs`.
enum ByteLevel {
  /// `byteToScalar[b]` is the character that stands for byte `b`.
  static let byteToScalar: [Unicode.Scalar] = {
    var table = [Unicode.Scalar](repeating: " ", count: 256)
    var next: UInt32 = 256
    for b in 0..<256 {
      let printable = (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b)
      if printable {
        table[b] = Unicode.Scalar(UInt8(b))
      } else {
        table[b] = Unicode.Scalar(next)!
        next += 1
      }
    }
    return table
  }()

  /// The inverse table: scalar value → byte.
  static let scalarToByte: [UInt32: UInt8] = {
    var map: [UInt32: UInt8] = [:]
    for (b, s) in byteToScalar.enumerated() { map[s.value] = UInt8(b) }
    return map
  }()

  /// The byte-level string for raw bytes (`" the"` → `"Ġthe"`).
  static func encode(_ bytes: some Sequence<UInt8>) -> String {
    var s = String.UnicodeScalarView()
    for b in bytes { s.append(byteToScalar[Int(b)]) }
    return String(s)
  }

  /// The raw bytes of a byte-level string, or nil when a character is not in the table.
  static func decode(_ token: String) -> [UInt8]? {
    var out: [UInt8] = []
    out.reserveCapacity(token.unicodeScalars.count)
    for s in token.unicodeScalars {
      guard let b = scalarToByte[s.value] else { return nil }
      out.append(b)
    }
    return out
  }
}
