/// The character classes the split patterns test: `\p{L}`, `\p{N}`, `\s` (Unicode White_Space), other.
enum ScalarClass {
  static let other: UInt8 = 0
  static let letter: UInt8 = 1
  static let number: UInt8 = 2
  static let space: UInt8 = 3

  private static let ascii: [UInt8] = (0..<128).map { classify(Unicode.Scalar(UInt8($0))) }

  /// The class of one scalar (ASCII through a table).
  @inline(__always)
  static func of(_ s: Unicode.Scalar) -> UInt8 {
    s.value < 128 ? ascii[Int(s.value)] : classify(s)
  }

  private static func classify(_ s: Unicode.Scalar) -> UInt8 {
    let p = s.properties
    if p.isWhitespace { return space }
    switch p.generalCategory {
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return letter
    case .decimalNumber, .letterNumber, .otherNumber: return number
    default: return other
    }
  }
}
