import JSONSupport

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// JSON Lines: the text is the string at a dotted path of each line's object.
struct JSONLinesDecoder {
  let field: String
  private let fieldPath: [Substring]
  private let metadataPaths: [(key: String, path: [Substring])]
  private let decoder = JSONDecoder()
  private(set) var recordCount = 0

  init(field: String, metadataFields: [String]) {
    self.field = field
    self.fieldPath = field.split(separator: ".")
    self.metadataPaths = metadataFields.map { ($0, $0.split(separator: ".")) }
  }

  mutating func next(_ stream: inout MemberStream) throws(ArchiveFailure) -> DecodedRecord? {
    while let line = try stream.nextLine() {
      if line.isBlank { continue }
      let source = stream.source(of: line, record: recordCount)
      recordCount += 1
      if let length = line.overLimit {
        return .bad(.recordTooLong(at: source, bytes: length, limit: stream.recordLimit))
      }
      guard decodeUTF8(line.bytes) != nil else { return .bad(.invalidUTF8(at: source)) }
      let value: JSONValue
      do {
        value = try decoder.decode(JSONValue.self, from: Data(line.bytes))
      } catch {
        return .bad(.malformedJSON(at: source, message: Self.summary(of: error)))
      }
      guard case .object = value else {
        return .bad(.malformedJSON(at: source, message: "the line is JSON but not an object"))
      }
      guard case .string(let text)? = value.value(atPath: fieldPath) else {
        return .bad(.missingField(field: field, at: source))
      }
      var metadata: [String: String] = [:]
      for (key, path) in metadataPaths {
        if let text = value.value(atPath: path)?.scalarText { metadata[key] = text }
      }
      return .document(text: text, metadata: metadata, source: source)
    }
    return nil
  }

  private static func summary(of error: any Error) -> String {
    // The underlying error is a Swift debug dump of Foundation internals; the context says it in words.
    if case DecodingError.dataCorrupted(let context) = error { return context.debugDescription }
    if let error = error as? DecodingError { return error.plainDescription }
    return error.localizedDescription
  }
}
