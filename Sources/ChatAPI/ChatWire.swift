import Foundation

/// The one JSON encoding of the chat API's bodies: sorted keys, so the same request is the same
/// bytes (the judge's response cache keys on them), and no escaped slashes.
public enum ChatWire {
  public static func encode(_ value: some Encodable) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return try encoder.encode(value)
  }

  public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
    try JSONDecoder().decode(type, from: data)
  }
}
