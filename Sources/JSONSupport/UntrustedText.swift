/// The one way bae puts text that came from a file or a user (tensor names, metadata strings,
/// JSON keys, paths, corpus records) into an error message.
///
/// Messages stay one line and bounded however hostile the input: the text is cut to `limit`
/// characters (saying how long it was), and every control character, line or paragraph
/// separator, bidirectional override and other invisible format character is written as an
/// escape (`\n`, `\t`, `\u{1B}`), so a file cannot move the terminal's cursor, change its colours
/// or hide part of a message. Printable text, including non-ASCII letters, stays as it is.
///
/// ```swift
/// UntrustedText.describe("blk.0\u{1B}[2J")       // blk.0\u{1B}[2J
/// UntrustedText.describe(String(repeating: "a", count: 5000), limit: 8)   // aaaaaaaa… (5000 bytes)
/// ```
public enum UntrustedText {
  /// The default number of characters kept.
  public static let defaultLimit = 160

  /// `text` made safe for a one-line message (see ``UntrustedText``).
  ///
  /// - Parameters:
  ///   - text: the untrusted text.
  ///   - limit: characters kept before the text is cut (escapes count as their written length).
  /// - Complexity: O(`limit`); a multi-megabyte string costs no more than a short one.
  public static func describe(_ text: some StringProtocol, limit: Int = defaultLimit) -> String {
    describe(scalars: text.unicodeScalars, byteCount: text.utf8.count, complete: true, limit: limit)
  }

  /// Raw bytes that should be text, decoded as UTF-8 (invalid sequences become U+FFFD) and made
  /// safe as ``describe(_:limit:)`` does. Only the first few hundred bytes are decoded.
  public static func describe(bytes: some Collection<UInt8>, limit: Int = defaultLimit) -> String {
    // Every scalar takes at most 4 bytes, so this head holds more than `limit` of them.
    let head = bytes.prefix(4 * (limit + 1))
    let text = String(decoding: head, as: UTF8.self)
    return describe(
      scalars: text.unicodeScalars, byteCount: bytes.count, complete: head.count == bytes.count, limit: limit)
  }

  private static func describe(
    scalars: some Sequence<Unicode.Scalar>, byteCount: Int, complete: Bool, limit: Int
  ) -> String {
    var result = ""
    var written = 0
    for scalar in scalars {
      let piece = escaped(scalar)
      if written + piece.count > limit { return result + "… (\(byteCount) bytes)" }
      result += piece
      written += piece.count
    }
    return complete ? result : result + "… (\(byteCount) bytes)"
  }

  /// Whether `scalar` may appear in a message as itself.
  static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.properties.generalCategory {
    case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned:
      return false
    default:
      return true
    }
  }

  private static func escaped(_ scalar: Unicode.Scalar) -> String {
    if isPrintable(scalar) { return String(Character(scalar)) }
    switch scalar {
    case "\n": return "\\n"
    case "\r": return "\\r"
    case "\t": return "\\t"
    default: return "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
    }
  }
}
