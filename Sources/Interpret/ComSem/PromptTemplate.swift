import Foundation

/// A prompt text with `{name}` placeholders (lowercase letters and `_`), filled in one pass so a
/// value that itself contains `{…}` is never filled again. Other braces are literal text.
public struct PromptTemplate: Sendable, Equatable {
  enum Piece: Sendable, Equatable {
    case text(String)
    case slot(String)
  }

  let pieces: [Piece]
  /// The placeholders the text holds.
  public var placeholders: Set<String> {
    Set(pieces.compactMap { if case .slot(let name) = $0 { name } else { nil } })
  }

  /// Parses `text`; `file` names it in errors.
  ///
  /// - Throws: ``InterpretError/invalidPrompt(file:reason:)`` when a placeholder is not one of
  ///   `allowed`, or one of `required` is missing.
  public init(_ text: String, file: String, allowed: Set<String>, required: Set<String>) throws(InterpretError) {
    var pieces: [Piece] = []
    var literal = ""
    var rest = Substring(text)
    while let open = rest.firstIndex(of: "{") {
      literal += rest[..<open]
      let after = rest[rest.index(after: open)...]
      if let close = after.firstIndex(of: "}"), !after[..<close].isEmpty,
        after[..<close].allSatisfy({ $0 == "_" || ("a"..."z").contains($0) })
      {
        let name = String(after[..<close])
        guard allowed.contains(name) else {
          throw .invalidPrompt(
            file: file, reason: "unknown placeholder {\(name)}; this prompt knows \(allowed.sorted().map { "{\($0)}" })"
          )
        }
        if !literal.isEmpty { pieces.append(.text(literal)) }
        literal = ""
        pieces.append(.slot(name))
        rest = after[after.index(after: close)...]
      } else {
        literal += "{"
        rest = after
      }
    }
    literal += rest
    if !literal.isEmpty { pieces.append(.text(literal)) }
    self.pieces = pieces
    let missing = required.subtracting(placeholders)
    guard missing.isEmpty else {
      throw .invalidPrompt(file: file, reason: "missing placeholder \(missing.sorted().map { "{\($0)}" })")
    }
  }

  /// The text with every placeholder replaced by its value (an absent value gives "").
  public func render(_ values: [String: String]) -> String {
    var out = ""
    for piece in pieces {
      switch piece {
      case .text(let text): out += text
      case .slot(let name): out += values[name] ?? ""
      }
    }
    return out
  }
}
