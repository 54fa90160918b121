import Foundation

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// A document that is not well-formed XML.
public struct XMLTreeError: Error, CustomStringConvertible {
  /// The parser's complaint and where.
  public var description: String
}

/// A parsed XML document (an SVG picture) for tests: elements by name or class, in document
/// order. Parsing is strict: a document that is not well-formed throws.
public struct XMLTree {
  /// The document.
  public let document: XMLDocument

  /// Parses `text`.
  ///
  /// `XMLDocument` alone will not do: on Linux it recovers from errors (a stray `<`, mismatched
  /// tags) and returns a repaired tree. So `XMLParser` checks well-formedness first, failing on
  /// any error it reports (it too may report an error yet return `true`).
  ///
  /// - Throws: ``XMLTreeError`` naming the line and column of the first error.
  public init(_ text: String) throws {
    let parser = XMLParser(data: Data(text.utf8))
    let ok = parser.parse()
    if !ok || parser.parserError != nil {
      let reason = parser.parserError.map { "\($0)" } ?? "unknown error"
      throw XMLTreeError(
        description: "not well-formed XML at line \(parser.lineNumber), column \(parser.columnNumber): \(reason)")
    }
    document = try XMLDocument(xmlString: text, options: [])
  }

  /// The root element.
  public var root: XMLElement? { document.rootElement() }

  /// Every element named `name` (ignoring namespaces), in document order.
  public func elements(named name: String) -> [XMLElement] {
    all.filter { ($0.localName ?? $0.name) == name }
  }

  /// Every element whose `class` attribute holds the token `className`, in document order.
  public func elements(withClass className: String) -> [XMLElement] {
    all.filter { $0.attributeValue("class")?.split(separator: " ").contains(Substring(className)) ?? false }
  }

  /// All elements, in document order.
  public var all: [XMLElement] {
    var out: [XMLElement] = []
    func visit(_ element: XMLElement) {
      out.append(element)
      for case let child as XMLElement in element.children ?? [] { visit(child) }
    }
    if let root { visit(root) }
    return out
  }
}

extension XMLElement {
  /// The value of the attribute `name`, if present.
  public func attributeValue(_ name: String) -> String? {
    // Searched by hand: swift-corelibs-foundation's `attribute(forName:)` finds nothing inside
    // an element with a default namespace (every SVG element).
    attributes?.first { $0.name == name }?.stringValue
  }

  /// Descendant elements whose `class` attribute holds the token `className`.
  public func descendants(withClass className: String) -> [XMLElement] {
    var out: [XMLElement] = []
    for case let child as XMLElement in children ?? [] {
      if child.attributeValue("class")?.split(separator: " ").contains(Substring(className)) ?? false {
        out.append(child)
      }
      out += child.descendants(withClass: className)
    }
    return out
  }

  /// Descendant elements named `name` (ignoring namespaces).
  public func descendants(named name: String) -> [XMLElement] {
    var out: [XMLElement] = []
    for case let child as XMLElement in children ?? [] {
      if (child.localName ?? child.name) == name { out.append(child) }
      out += child.descendants(named: name)
    }
    return out
  }
}
