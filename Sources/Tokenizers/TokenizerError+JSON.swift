import JSONSupport

extension TokenizerError {
  /// The tokenizer error a JSON reading error stands for, keeping its file and path.
  init(_ error: JSONError) {
    switch error.problem {
    case .missing: self = .missingField(file: error.document, path: error.path)
    case .invalidJSON, .typeMismatch:
      self = .malformedJSON(file: error.document, path: error.path, reason: error.reason)
    }
  }

  /// Runs `body`, reporting a ``JSONError`` it throws as the matching ``TokenizerError``.
  static func reportingJSON<T>(_ body: () throws -> T) throws -> T {
    do {
      return try body()
    } catch let error as JSONError {
      throw TokenizerError(error)
    }
  }
}

extension JSONElement {
  /// The `type` member, the dispatch key of every tokenizer.json component.
  func type() throws(JSONError) -> String { try required("type").string() }
}
