import Foundation

extension JSONValue: Encodable {
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .null: try container.encodeNil()
    case .bool(let value): try container.encode(value)
    case .number(let value): try container.encode(value)
    case .string(let value): try container.encode(value)
    case .array(let elements): try container.encode(elements)
    case .object(let members): try container.encode(members)
    }
  }
}

extension JSONValue {
  /// The number closest to `value` whose shortest decimal form is `value`'s own (`1e-05`, not
  /// `9.99999974737875e-06`), so a `Float` written and read back is the same `Float`.
  public init(_ value: Float) {
    self = .number(Double(value.description) ?? Double(value))
  }

  /// An integer (exact up to 2⁵³).
  public init(_ value: Int) {
    self = .number(Double(value))
  }

  /// The document as UTF-8 JSON text: object members sorted by key, integers without a
  /// fraction, other numbers in their shortest round-tripping form, `/` not escaped.
  ///
  /// - Parameter pretty: two-space indentation and one member or element per line.
  /// - Precondition: every number is finite (JSON has no infinities or NaN).
  public func serialized(pretty: Bool = false) -> Data {
    var out = ""
    write(to: &out, pretty: pretty, indent: 0)
    if pretty { out += "\n" }
    return Data(out.utf8)
  }

  private func write(to out: inout String, pretty: Bool, indent: Int) {
    func newline(_ level: Int) {
      if pretty { out += "\n" + String(repeating: "  ", count: level) }
    }
    switch self {
    case .null:
      out += "null"
    case .bool(let value):
      out += value ? "true" : "false"
    case .number(let value):
      precondition(value.isFinite, "JSON cannot hold the number \(value)")
      if value == value.rounded(), abs(value) < 1e15 {
        out += String(Int64(value))
      } else {
        out += value.description
      }
    case .string(let value):
      Self.writeString(value, to: &out)
    case .array(let elements):
      guard !elements.isEmpty else {
        out += "[]"
        return
      }
      out += "["
      for (i, element) in elements.enumerated() {
        if i > 0 { out += "," }
        newline(indent + 1)
        element.write(to: &out, pretty: pretty, indent: indent + 1)
      }
      newline(indent)
      out += "]"
    case .object(let members):
      guard !members.isEmpty else {
        out += "{}"
        return
      }
      out += "{"
      for (i, key) in members.keys.sorted().enumerated() {
        if i > 0 { out += "," }
        newline(indent + 1)
        Self.writeString(key, to: &out)
        out += pretty ? ": " : ":"
        members[key]!.write(to: &out, pretty: pretty, indent: indent + 1)
      }
      newline(indent)
      out += "}"
    }
  }

  /// A JSON string literal: quotes, backslashes and control characters escaped.
  private static func writeString(_ string: String, to out: inout String) {
    out += "\""
    for scalar in string.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if scalar.value < 0x20 {
          let hex = String(scalar.value, radix: 16)
          out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    out += "\""
  }
}
