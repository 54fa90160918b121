import Foundation

extension DecodingError {
  /// The error in words for a user: the JSON path (`hooks[2].width`) and what was wrong, without
  /// Swift type dumps.
  public var plainDescription: String {
    func path(_ context: Context) -> String {
      var text = ""
      for key in context.codingPath {
        if let index = key.intValue {
          text += "[\(index)]"
        } else {
          text += (text.isEmpty ? "" : ".") + key.stringValue
        }
      }
      return text.isEmpty ? "the top level" : text
    }
    switch self {
    case .keyNotFound(let key, let context):
      let parent = context.codingPath.isEmpty ? "" : path(context) + "."
      return "missing field \(parent)\(key.stringValue)"
    case .typeMismatch(let type, let context):
      return "\(path(context)) has the wrong type (expected \(Self.typeName(type)))"
    case .valueNotFound(let type, let context):
      return "\(path(context)) is null (expected \(Self.typeName(type)))"
    case .dataCorrupted(let context):
      return context.codingPath.isEmpty
        ? "not valid JSON (\(context.debugDescription))" : "\(path(context)): \(context.debugDescription)"
    @unknown default:
      return "invalid JSON"
    }
  }

  private static func typeName(_ type: Any.Type) -> String {
    switch type {
    case is String.Type: "a string"
    case is Bool.Type: "true or false"
    case is Int.Type, is Int64.Type, is Int32.Type, is UInt64.Type: "an integer"
    case is Double.Type, is Float.Type: "a number"
    default: type is any Collection.Type ? "an array" : "an object"
    }
  }
}
