import Foundation

/// A JSON value together with its document and path, for readers whose every error should say
/// where: `tokenizer.json: \`model.merges[12]\`: expected a string, found a number`.
///
/// ```swift
/// let root = try JSONElement.parse(data, document: "tokenizer.json")
/// for (token, id) in try root.required("model").required("vocab").members() { … try id.int() … }
/// ```
public struct JSONElement: Sendable {
  /// The value.
  public let value: JSONValue
  /// The document's name for messages.
  public let document: String
  /// Where the value sits: `$` for the root, then `a.b[3].c`.
  public let path: String

  /// Wraps `value` found at `path` of `document`.
  public init(_ value: JSONValue, document: String, path: String = "$") {
    self.value = value
    self.document = document
    self.path = path
  }

  /// Parses `data` as the root of `document`.
  ///
  /// - Throws: ``JSONError`` when the bytes are not JSON.
  public static func parse(_ data: Data, document: String) throws(JSONError) -> JSONElement {
    JSONElement(try JSONValue.parse(data, document: document), document: document)
  }

  /// Whether the value is `null`.
  public var isNull: Bool { value.isNull }

  /// The path of member `key`.
  public func path(ofMember key: String) -> String { path == "$" ? key : "\(path).\(key)" }

  /// A ``JSONError`` at this element.
  public func error(_ problem: JSONError.Problem) -> JSONError {
    JSONError(document: document, path: path, problem: problem)
  }

  private func mismatch(_ expected: String) -> JSONError {
    error(.typeMismatch(expected: expected, found: value.typeName))
  }

  /// The member `key`, or `nil` when it is absent or null.
  ///
  /// - Throws: ``JSONError`` when this is not an object.
  public func optional(_ key: String) throws(JSONError) -> JSONElement? {
    guard case .object(let members) = value else { throw mismatch("an object") }
    guard let member = members[key], !member.isNull else { return nil }
    return JSONElement(member, document: document, path: path(ofMember: key))
  }

  /// The member `key`.
  ///
  /// - Throws: ``JSONError`` when it is absent or null (``JSONError/Problem/missing``, at the
  ///   member's path) or when this is not an object.
  public func required(_ key: String) throws(JSONError) -> JSONElement {
    guard let member = try optional(key) else {
      throw JSONError(document: document, path: path(ofMember: key), problem: .missing)
    }
    return member
  }

  /// The string. - Throws: ``JSONError`` for any other value.
  public func string() throws(JSONError) -> String {
    guard let string = value.stringValue else { throw mismatch("a string") }
    return string
  }

  /// The boolean. - Throws: ``JSONError`` for any other value.
  public func bool() throws(JSONError) -> Bool {
    guard let bool = value.boolValue else { throw mismatch("a boolean") }
    return bool
  }

  /// The number. - Throws: ``JSONError`` for any other value.
  public func double() throws(JSONError) -> Double {
    guard let number = value.doubleValue else { throw mismatch("a number") }
    return number
  }

  /// The integer (see ``JSONValue/intValue``). - Throws: ``JSONError`` for any other value.
  public func int() throws(JSONError) -> Int {
    guard let int = value.intValue else { throw mismatch("an integer") }
    return int
  }

  /// The elements, each with its `[index]` path. - Throws: ``JSONError`` unless an array.
  public func array() throws(JSONError) -> [JSONElement] {
    guard let elements = value.arrayValue else { throw mismatch("an array") }
    return elements.enumerated().map { JSONElement($1, document: document, path: "\(path)[\($0)]") }
  }

  /// The members in key order, each with its path. - Throws: ``JSONError`` unless an object.
  public func members() throws(JSONError) -> [(key: String, element: JSONElement)] {
    guard let members = value.objectValue else { throw mismatch("an object") }
    return members.keys.sorted().map { ($0, JSONElement(members[$0]!, document: document, path: path(ofMember: $0))) }
  }

  /// The boolean member `key`, or `fallback` when it is absent or null.
  ///
  /// - Throws: ``JSONError`` when it has another type or this is not an object.
  public func bool(_ key: String, default fallback: Bool) throws(JSONError) -> Bool {
    try optional(key)?.bool() ?? fallback
  }
}
