import Foundation

/// A JSON document that is not what its reader expects, with the place it went wrong.
///
/// `path` is `$` for the whole document, then dotted member names and `[index]` for array
/// elements (`model.merges[12]`), as ``JSONElement`` builds it.
public struct JSONError: Error, Equatable, Sendable, CustomStringConvertible {
  /// What is wrong.
  public enum Problem: Equatable, Sendable {
    /// The bytes are not JSON at all.
    case invalidJSON(reason: String)
    /// A required member is absent (or null).
    case missing
    /// A value has another JSON type (or an integer was expected and a fraction found).
    case typeMismatch(expected: String, found: String)
  }

  /// The document's name for messages (usually its file name).
  public var document: String
  /// Where in the document.
  public var path: String
  /// What is wrong.
  public var problem: Problem

  /// Describes `problem` at `path` of `document`.
  public init(document: String, path: String, problem: Problem) {
    self.document = document
    self.path = path
    self.problem = problem
  }

  /// The problem in words, without the document and path ("expected a string, found a number").
  public var reason: String {
    switch problem {
    case .invalidJSON(let reason): "not valid JSON (\(reason))"
    case .missing: "required field is missing"
    case .typeMismatch(let expected, let found): "expected \(expected), found \(found)"
    }
  }

  /// The error in words; the document name and path (which hold member names from the file) and
  /// the reason are cut and escaped (``UntrustedText``).
  public var description: String {
    "\(UntrustedText.describe(document, limit: 400)): `\(UntrustedText.describe(path))`: "
      + UntrustedText.describe(reason, limit: 400)
  }
}
