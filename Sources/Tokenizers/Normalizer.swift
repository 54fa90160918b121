import Foundation
import JSONSupport

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
  static func parse(_ node: JSONElement) throws -> Normalizer {
    let type = try node.type()
    switch type {
    case "NFC": return .nfc
    case "NFD": return .nfd
    case "NFKC": return .nfkc
    case "NFKD": return .nfkd
    case "Sequence": return .sequence(try node.required("normalizers").array().map(parse))
    default: throw TokenizerError.unsupported(file: node.document, path: "\(node.path).type", value: "\"\(type)\"")
    }
  }
}

extension Normalizer {
  /// The tokenizer.json form of this normalizer.
  var json: JSONValue {
    switch self {
    case .nfc: ["type": "NFC"]
    case .nfd: ["type": "NFD"]
    case .nfkc: ["type": "NFKC"]
    case .nfkd: ["type": "NFKD"]
    case .sequence(let steps): ["type": "Sequence", "normalizers": .array(steps.map(\.json))]
    }
  }
}
