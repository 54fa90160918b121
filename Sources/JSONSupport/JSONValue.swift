import Foundation

/// A parsed JSON value, for readers that walk documents of unknown shape (tokenizer.json,
/// JSON Lines corpus records) and report the path of what they find.
///
/// Numbers are kept as `Double` (integers up to 2⁵³ are exact).
public enum JSONValue: Sendable, Decodable, Equatable {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let value = try? container.decode(Bool.self) {
      self = .bool(value)
    } else if let value = try? container.decode(Double.self) {
      self = .number(value)
    } else if let value = try? container.decode(String.self) {
      self = .string(value)
    } else if let value = try? container.decode([JSONValue].self) {
      self = .array(value)
    } else {
      self = .object(try container.decode([String: JSONValue].self))
    }
  }

  /// "a string", "an object", … for error messages.
  public var typeName: String {
    switch self {
    case .null: "null"
    case .bool: "a boolean"
    case .number: "a number"
    case .string: "a string"
    case .array: "an array"
    case .object: "an object"
    }
  }

  /// The value at a dotted path (`meta.pile_set_name` split at dots), or `nil`.
  public func value(atPath path: [Substring]) -> JSONValue? {
    var current = self
    for key in path {
      guard case .object(let members) = current, let next = members[String(key)] else { return nil }
      current = next
    }
    return current
  }

  /// Strings as they are; numbers (integers without a fraction) and booleans as JSON text;
  /// `nil` for null, arrays and objects.
  public var scalarText: String? {
    switch self {
    case .string(let text): text
    case .bool(let value): value ? "true" : "false"
    case .number(let value): value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    case .null, .array, .object: nil
    }
  }
}
