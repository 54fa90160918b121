import Foundation

extension JSONValue {
  /// Parses a JSON document.
  ///
  /// - Parameter document: the document's name for the error (usually its file name).
  /// - Throws: ``JSONError`` with ``JSONError/Problem/invalidJSON(reason:)`` at path `$` when the
  ///   bytes are not JSON or an object names one member twice (``firstDuplicateKey(in:)``).
  public static func parse(_ data: Data, document: String = "JSON") throws(JSONError) -> JSONValue {
    let value: JSONValue
    do {
      value = try JSONDecoder().decode(JSONValue.self, from: data)
    } catch let error as DecodingError {
      let reason: String
      if case .dataCorrupted(let context) = error { reason = context.debugDescription } else {
        reason = error.plainDescription
      }
      throw JSONError(document: document, path: "$", problem: .invalidJSON(reason: reason))
    } catch {
      throw JSONError(document: document, path: "$", problem: .invalidJSON(reason: error.localizedDescription))
    }
    if let name = firstDuplicateKey(in: data) {
      throw JSONError(
        document: document, path: "$",
        problem: .invalidJSON(reason: "an object names member \"\(UntrustedText.describe(name))\" twice"))
    }
    return value
  }

  /// The member `key` of an object; `nil` when absent or when this is not an object.
  public subscript(key: String) -> JSONValue? {
    guard case .object(let members) = self else { return nil }
    return members[key]
  }

  /// Whether this is `null`.
  public var isNull: Bool {
    if case .null = self { return true }
    return false
  }

  /// The string, or `nil` for any other value.
  public var stringValue: String? {
    if case .string(let value) = self { return value }
    return nil
  }

  /// The boolean, or `nil` for any other value.
  public var boolValue: Bool? {
    if case .bool(let value) = self { return value }
    return nil
  }

  /// The number, or `nil` for any other value.
  public var doubleValue: Double? {
    if case .number(let value) = self { return value }
    return nil
  }

  /// The number when it is an integer that a `Double` holds exactly (|n| ≤ 2⁵³), else `nil`.
  public var intValue: Int? {
    guard case .number(let value) = self, value == value.rounded(), abs(value) <= 9_007_199_254_740_992 else {
      return nil
    }
    return Int(value)
  }

  /// The elements of an array, or `nil` for any other value.
  public var arrayValue: [JSONValue]? {
    if case .array(let elements) = self { return elements }
    return nil
  }

  /// The elements of an array when every one is an integer (see ``intValue``), else `nil`.
  public var intArrayValue: [Int]? {
    guard let elements = arrayValue else { return nil }
    var integers: [Int] = []
    integers.reserveCapacity(elements.count)
    for element in elements {
      guard let integer = element.intValue else { return nil }
      integers.append(integer)
    }
    return integers
  }

  /// The members of an object, or `nil` for any other value.
  public var objectValue: [String: JSONValue]? {
    if case .object(let members) = self { return members }
    return nil
  }
}
