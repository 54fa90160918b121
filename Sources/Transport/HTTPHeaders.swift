import Foundation

/// The header fields of a request or response, in order, looked up without regard to case.
///
/// Its description redacts the values of fields that carry credentials (`Authorization`,
/// `Proxy-Authorization`, `Cookie`, `Set-Cookie`), so headers can be put in a message or a log.
public struct HTTPHeaders: Sendable, Equatable, Hashable, Sequence, ExpressibleByDictionaryLiteral,
  CustomStringConvertible
{
  /// One `name: value` field.
  public struct Field: Sendable, Equatable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
      self.name = name
      self.value = value
    }
  }

  /// The fields in the order they were added or received.
  public private(set) var fields: [Field]

  /// Headers holding `fields`, in order.
  public init(_ fields: [Field] = []) { self.fields = fields }

  public init(dictionaryLiteral elements: (String, String)...) {
    fields = elements.map { Field(name: $0.0, value: $0.1) }
  }

  /// The first value of `name` (any case), or `nil`.
  public subscript(name: String) -> String? {
    let lowered = name.lowercased()
    return fields.first { $0.name.lowercased() == lowered }?.value
  }

  /// Every value of `name` (any case), in order.
  public func values(_ name: String) -> [String] {
    let lowered = name.lowercased()
    return fields.filter { $0.name.lowercased() == lowered }.map(\.value)
  }

  /// Appends a field (a repeated name keeps both).
  public mutating func add(_ name: String, _ value: String) { fields.append(Field(name: name, value: value)) }

  /// Replaces every field named `name` (any case) by one with `value`.
  public mutating func set(_ name: String, _ value: String) {
    remove(name)
    add(name, value)
  }

  /// Removes every field named `name` (any case).
  public mutating func remove(_ name: String) {
    let lowered = name.lowercased()
    fields.removeAll { $0.name.lowercased() == lowered }
  }

  public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }

  /// Field names whose values are never shown.
  public static let secretNames: Set<String> = ["authorization", "proxy-authorization", "cookie", "set-cookie"]

  /// `value`, or `<redacted>` when `name` carries a credential.
  public static func displayValue(name: String, value: String) -> String {
    secretNames.contains(name.lowercased()) ? "<redacted>" : value
  }

  /// `Name: value` lines, credentials redacted.
  public var description: String {
    fields.map { "\($0.name): \(Self.displayValue(name: $0.name, value: $0.value))" }.joined(separator: "\n")
  }
}
