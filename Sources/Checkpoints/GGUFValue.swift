import JSONSupport

/// One GGUF metadata value, in the type the file stores it as.
///
/// GGUF value types are `gguf_type` ids 0–12 (see the GGUF spec in ggml's `docs/gguf.md`).
/// Arrays hold values of one element type, which may itself be an array.
/// Use the optional accessors (``intValue``, ``stringArray``, …) to read a value
/// whatever its exact integer or float width.
public enum GGUFValue: Sendable, Equatable, CustomStringConvertible {
  /// A `uint8` (GGUF type 0).
  case uint8(UInt8)
  /// A `int8` (type 1).
  case int8(Int8)
  /// A `uint16` (type 2).
  case uint16(UInt16)
  /// A `int16` (type 3).
  case int16(Int16)
  /// A `uint32` (type 4).
  case uint32(UInt32)
  /// A `int32` (type 5).
  case int32(Int32)
  /// A `float32` (type 6).
  case float32(Float)
  /// A `bool` (type 7), stored as one byte.
  case bool(Bool)
  /// A `string` (type 8): a `uint64` byte length and UTF-8 bytes.
  case string(String)
  /// A `array` (type 9): an element type, a `uint64` count and the elements.
  case array([GGUFValue])
  /// A `uint64` (type 10).
  case uint64(UInt64)
  /// A `int64` (type 11).
  case int64(Int64)
  /// A `float64` (type 12).
  case float64(Double)

  /// The value as an `Int`, for any integer type whose value fits; `nil` otherwise.
  public var intValue: Int? {
    switch self {
    case .uint8(let v): Int(v)
    case .int8(let v): Int(v)
    case .uint16(let v): Int(v)
    case .int16(let v): Int(v)
    case .uint32(let v): Int(v)
    case .int32(let v): Int(v)
    case .uint64(let v): Int(exactly: v)
    case .int64(let v): Int(v)
    default: nil
    }
  }

  /// The value as a `Double`, for float types and for integers; `nil` otherwise.
  public var doubleValue: Double? {
    switch self {
    case .float32(let v): Double(v)
    case .float64(let v): v
    case .uint64(let v): Double(v)
    default: intValue.map(Double.init)
    }
  }

  /// The value as a `Float`, for float types and for integers; `nil` otherwise.
  public var floatValue: Float? {
    if case .float32(let v) = self { return v }
    return doubleValue.map(Float.init)
  }

  /// The value of a `bool`; `nil` for every other type.
  public var boolValue: Bool? {
    if case .bool(let v) = self { return v }
    return nil
  }

  /// The value of a `string`; `nil` for every other type.
  public var stringValue: String? {
    if case .string(let v) = self { return v }
    return nil
  }

  /// The elements of an `array`; `nil` for every other type.
  public var arrayValue: [GGUFValue]? {
    if case .array(let v) = self { return v }
    return nil
  }

  /// The elements of an array of strings; `nil` if this is not one.
  public var stringArray: [String]? {
    guard case .array(let elements) = self else { return nil }
    var result: [String] = []
    result.reserveCapacity(elements.count)
    for element in elements {
      guard case .string(let s) = element else { return nil }
      result.append(s)
    }
    return result
  }

  /// The elements of an array of integers as `Int`; `nil` if this is not one.
  public var intArray: [Int]? {
    guard case .array(let elements) = self else { return nil }
    var result: [Int] = []
    result.reserveCapacity(elements.count)
    for element in elements {
      guard let v = element.intValue else { return nil }
      result.append(v)
    }
    return result
  }

  /// The elements of an array of integers that all fit in `Int32`; `nil` otherwise.
  public var int32Array: [Int32]? {
    guard let ints = intArray else { return nil }
    var result: [Int32] = []
    result.reserveCapacity(ints.count)
    for v in ints {
      guard let narrow = Int32(exactly: v) else { return nil }
      result.append(narrow)
    }
    return result
  }

  /// The elements of an array of numbers as `Float`; `nil` if this is not one.
  public var floatArray: [Float]? {
    guard case .array(let elements) = self else { return nil }
    var result: [Float] = []
    result.reserveCapacity(elements.count)
    for element in elements {
      guard let v = element.floatValue else { return nil }
      result.append(v)
    }
    return result
  }

  /// The GGUF type name (`uint32`, `string`, `array[string]`, …), for messages.
  public var typeName: String {
    switch self {
    case .uint8: "uint8"
    case .int8: "int8"
    case .uint16: "uint16"
    case .int16: "int16"
    case .uint32: "uint32"
    case .int32: "int32"
    case .float32: "float32"
    case .bool: "bool"
    case .string: "string"
    case .uint64: "uint64"
    case .int64: "int64"
    case .float64: "float64"
    case .array(let elements): "array[\(elements.first?.typeName ?? "")]"
    }
  }

  /// A short rendering for listings and messages: scalars in full, strings cut and escaped
  /// (``UntrustedText``), arrays abbreviated.
  public var description: String {
    switch self {
    case .uint8(let v): "\(v)"
    case .int8(let v): "\(v)"
    case .uint16(let v): "\(v)"
    case .int16(let v): "\(v)"
    case .uint32(let v): "\(v)"
    case .int32(let v): "\(v)"
    case .float32(let v): "\(v)"
    case .bool(let v): "\(v)"
    case .uint64(let v): "\(v)"
    case .int64(let v): "\(v)"
    case .float64(let v): "\(v)"
    case .string(let s):
      "\"\(UntrustedText.describe(s, limit: 60))\""
    case .array(let elements):
      elements.count <= 8
        ? "[" + elements.map(\.description).joined(separator: ", ") + "]"
        : "[\(elements.prefix(3).map(\.description).joined(separator: ", ")), ...] "
          + "(\(elements.count) × \(elements.first?.typeName ?? ""))"
    }
  }
}
