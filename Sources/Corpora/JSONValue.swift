#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// A parsed JSON value, enough to follow dotted paths in JSON Lines records.
enum JSONValue: Decodable {
  case null
  case bool(Bool)
  case integer(Int64)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let value = try? container.decode(Bool.self) {
      self = .bool(value)
    } else if let value = try? container.decode(Int64.self) {
      self = .integer(value)
    } else if let value = try? container.decode(Double.self) {
      self = .number(value)
    } else if let value = try? container.decode(String.self) {
      self = .string(value)
    } else if let value = try? container.decode([String: JSONValue].self) {
      self = .object(value)
    } else {
      self = .array(try container.decode([JSONValue].self))
    }
  }

  /// The value at a dotted path (`meta.pile_set_name`), or `nil`.
  func value(atPath path: [Substring]) -> JSONValue? {
    var current = self
    for key in path {
      guard case .object(let members) = current, let next = members[String(key)] else { return nil }
      current = next
    }
    return current
  }

  /// Strings as they are; numbers and booleans as JSON text; `nil` otherwise.
  var scalarText: String? {
    switch self {
    case .string(let text): text
    case .bool(let value): value ? "true" : "false"
    case .integer(let value): String(value)
    case .number(let value): String(value)
    case .null, .array, .object: nil
    }
  }
}
