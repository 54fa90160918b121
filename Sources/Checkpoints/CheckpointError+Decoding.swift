import Foundation

extension CheckpointError {
  /// The ``invalidConfig(file:field:detail:)`` a `DecodingError` from reading the configuration
  /// file `file` stands for: the field is the coding path joined with dots
  /// (`rope_parameters.factor`, or `(root)` for the document itself).
  public init(decoding error: DecodingError, file: URL) {
    func field(_ path: [any CodingKey]) -> String {
      path.isEmpty ? "(root)" : path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
    func kind(_ type: Any.Type) -> String {
      switch type {
      case is any BinaryInteger.Type: "an integer"
      case is any BinaryFloatingPoint.Type: "a number"
      case is String.Type: "a string"
      case is Bool.Type: "a boolean"
      default: "of another type"
      }
    }
    switch error {
    case .keyNotFound(let key, let context):
      self = .invalidConfig(file: file, field: field(context.codingPath + [key]), detail: "missing")
    case .valueNotFound(_, let context):
      self = .invalidConfig(file: file, field: field(context.codingPath), detail: "missing")
    case .typeMismatch(let type, let context):
      let detail = context.codingPath.isEmpty ? "not a JSON object" : "not \(kind(type))"
      self = .invalidConfig(file: file, field: field(context.codingPath), detail: detail)
    case .dataCorrupted(let context):
      let detail =
        context.codingPath.isEmpty ? "not a JSON object (\(context.debugDescription))" : context.debugDescription
      self = .invalidConfig(file: file, field: field(context.codingPath), detail: detail)
    @unknown default:
      self = .invalidConfig(file: file, field: "(root)", detail: String(describing: error))
    }
  }
}
