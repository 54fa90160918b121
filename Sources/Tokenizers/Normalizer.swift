import Foundation

/// The normalizers bae implements: Unicode normal forms and sequences of them.
indirect enum Normalizer: Sendable {
  case nfc, nfd, nfkc, nfkd
  case sequence([Normalizer])

  /// Normalizes one string.
  func apply(_ s: String) -> String {
    switch self {
    case .nfc: return s.precomposedStringWithCanonicalMapping
    case .nfd: return s.decomposedStringWithCanonicalMapping
    case .nfkc: return s.precomposedStringWithCompatibilityMapping
    case .nfkd: return s.decomposedStringWithCompatibilityMapping
    case .sequence(let steps): return steps.reduce(s) { $1.apply($0) }
    }
  }

  /// Parses a tokenizer.json `normalizer` node.
  static func parse(_ node: JSONNode) throws -> Normalizer {
    let type = try node.type()
    switch type {
    case "NFC": return .nfc
    case "NFD": return .nfd
    case "NFKC": return .nfkc
    case "NFKD": return .nfkd
    case "Sequence": return .sequence(try node.required("normalizers").array().map(parse))
    default: throw TokenizerError.unsupported(file: node.file, path: "\(node.path).type", value: "\"\(type)\"")
    }
  }
}
