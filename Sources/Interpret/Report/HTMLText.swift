/// Text escaped for HTML element content and attribute values (`&`, `<`, `>`, `"`, `'`).
func escapeHTML(_ text: String) -> String {
  var out = ""
  out.reserveCapacity(text.utf8.count)
  for c in text.unicodeScalars {
    switch c {
    case "&": out += "&amp;"
    case "<": out += "&lt;"
    case ">": out += "&gt;"
    case "\"": out += "&quot;"
    case "'": out += "&#39;"
    default:
      // Control characters other than tab and newline are not allowed in HTML text.
      if c.value < 0x20 && c != "\t" && c != "\n" || c.value == 0x7F {
        out += "\u{FFFD}"
      } else {
        out.unicodeScalars.append(c)
      }
    }
  }
  return out
}
