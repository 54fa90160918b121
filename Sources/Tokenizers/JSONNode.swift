import Foundation
import JSONSupport

/// A JSON value with the file and field path it came from, so every error names both.
struct JSONNode {
  let value: JSONValue
  let file: String
  let path: String

  /// Parses `data` as JSON.
  static func parse(_ data: Data, file: String) throws -> JSONNode {
    do {
      return JSONNode(value: try JSONDecoder().decode(JSONValue.self, from: data), file: file, path: "$")
    } catch {
      throw TokenizerError.malformedJSON(file: file, path: "$", reason: "not valid JSON (\(error))")
    }
  }

  private func childPath(_ key: String) -> String { path == "$" ? key : "\(path).\(key)" }

  private func mismatch(_ expected: String) -> TokenizerError {
    .malformedJSON(file: file, path: path, reason: "expected \(expected), found \(value.typeName)")
  }

  var isNull: Bool { if case .null = value { return true } else { return false } }

  /// The member `key`, or nil when absent or null.
  func optional(_ key: String) throws -> JSONNode? {
    guard case .object(let o) = value else { throw mismatch("an object") }
    guard let v = o[key] else { return nil }
    if case .null = v { return nil }
    return JSONNode(value: v, file: file, path: childPath(key))
  }

  /// The member `key`; throws ``TokenizerError/missingField(file:path:)`` when absent or null.
  func required(_ key: String) throws -> JSONNode {
    guard let n = try optional(key) else { throw TokenizerError.missingField(file: file, path: childPath(key)) }
    return n
  }

  func string() throws -> String {
    guard case .string(let s) = value else { throw mismatch("a string") }
    return s
  }

  func bool() throws -> Bool {
    guard case .bool(let b) = value else { throw mismatch("a boolean") }
    return b
  }

  func int() throws -> Int {
    guard case .number(let d) = value, d == d.rounded(), abs(d) < 1e15 else { throw mismatch("an integer") }
    return Int(d)
  }

  func array() throws -> [JSONNode] {
    guard case .array(let a) = value else { throw mismatch("an array") }
    return a.enumerated().map { JSONNode(value: $1, file: file, path: "\(path)[\($0)]") }
  }

  func object() throws -> [(key: String, node: JSONNode)] {
    guard case .object(let o) = value else { throw mismatch("an object") }
    return o.map { ($0.key, JSONNode(value: $0.value, file: file, path: childPath($0.key))) }
  }

  /// A boolean member with a default when absent.
  func bool(_ key: String, default d: Bool) throws -> Bool { try optional(key)?.bool() ?? d }

  /// The `type` member, the dispatch key of every tokenizer.json component.
  func type() throws -> String { try required("type").string() }
}
