/// Accumulates the elements of an SVG document, one per line, indented by nesting depth.
///
/// Attribute values and text are escaped here, so callers pass user strings as they are.
struct SVGBuilder {
  private(set) var text = ""
  private var depth = 0

  /// Opens `<name …>`; close it with ``close(_:)``.
  mutating func open(_ name: String, _ attributes: [(String, String)] = []) {
    line("<\(name)\(Self.attributeText(attributes))>")
    depth += 1
  }

  /// Writes `</name>`.
  mutating func close(_ name: String) {
    depth -= 1
    line("</\(name)>")
  }

  /// Writes `<name …/>`, or `<name …>text</name>` when `text` is given.
  mutating func element(_ name: String, _ attributes: [(String, String)] = [], text content: String? = nil) {
    let attributes = Self.attributeText(attributes)
    if let content {
      line("<\(name)\(attributes)>\(XMLText.escaped(content))</\(name)>")
    } else {
      line("<\(name)\(attributes)/>")
    }
  }

  /// Writes a line as it is (for the XML declaration).
  mutating func raw(_ line: String) { self.line(line) }

  private mutating func line(_ content: String) {
    text += String(repeating: "  ", count: depth) + content + "\n"
  }

  private static func attributeText(_ attributes: [(String, String)]) -> String {
    attributes.map { " \($0.0)=\"\(XMLText.escaped($0.1))\"" }.joined()
  }
}

/// A coordinate in a document: two decimals, clamped to ±10⁶ (points far outside the plot
/// area are clipped anyway).
func coordinate(_ value: Double) -> String {
  NumberText.fixed(min(max(value, -1e6), 1e6), decimals: 2)
}

/// Font sizes and an estimate of text widths, for layout without measuring glyphs.
enum Typography {
  static let family = "DejaVu Sans, Helvetica, Arial, sans-serif"
  static let title = 15.0
  static let figureTitle = 17.0
  static let axisTitle = 12.0
  static let tickLabel = 11.0
  static let legend = 12.0

  /// Approximate width of `text` at `size` (0.6 em per character suits sans-serif fonts).
  static func width(_ text: String, size: Double) -> Double { Double(text.count) * size * 0.6 }
}

/// The frame of a whole document: XML declaration, `<svg>` root, title and white background,
/// with `body` drawing the rest.
func svgDocument(width: Double, height: Double, title: String, body: (inout SVGBuilder) -> Void) -> String {
  var builder = SVGBuilder()
  builder.raw("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>")
  builder.open(
    "svg",
    [
      ("xmlns", "http://www.w3.org/2000/svg"), ("version", "1.1"), ("width", coordinate(width)),
      ("height", coordinate(height)), ("viewBox", "0 0 \(coordinate(width)) \(coordinate(height))"),
      ("font-family", Typography.family),
    ])
  if !title.isEmpty { builder.element("title", text: title) }
  builder.element(
    "rect",
    [("class", "background"), ("width", coordinate(width)), ("height", coordinate(height)), ("fill", "#FFFFFF")])
  body(&builder)
  builder.close("svg")
  return builder.text
}
