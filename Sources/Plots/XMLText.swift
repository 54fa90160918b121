/// Escaping of user text for XML and HTML element content and attribute values: the one home
/// for it (SVG plots, `bae report`'s pages).
public enum XMLText {
  /// `text` with `&`, `<`, `>`, `"` and `'` written as entities, tab, line feed and carriage
  /// return as character references, and the control characters XML 1.0 forbids (the rest
  /// below U+0020, U+FFFE, U+FFFF) replaced by U+FFFD, so any string makes a well-formed
  /// document and reads back unchanged from content and attributes alike.
  public static func escaped(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      // As references, which attribute-value normalisation leaves alone (a literal tab or line
      // break in an attribute reads back as a space).
      case "\t": out += "&#9;"
      case "\n": out += "&#10;"
      case "\r": out += "&#13;"
      case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF:
        out += "\u{FFFD}"
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out
  }
}
