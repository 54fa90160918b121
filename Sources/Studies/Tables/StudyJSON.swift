import Foundation

/// The JSON form of every analysis result (`--json` and the `*.json` files): sorted keys,
/// unescaped slashes, non-finite numbers as the strings `nan`, `inf`, `-inf`.
public enum StudyJSON {
  public static func encode(_ value: some Encodable) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return try encoder.encode(value)
  }
}
