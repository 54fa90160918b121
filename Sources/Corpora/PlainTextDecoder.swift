/// Plain text: a document per line, per paragraph, or per member.
struct PlainTextDecoder {
  let mode: DocumentMode
  private(set) var recordCount = 0

  init(mode: DocumentMode) {
    self.mode = mode
  }

  mutating func next(_ stream: inout MemberStream) throws(ArchiveFailure) -> DecodedRecord? {
    switch mode {
    case .line:
      while let line = try stream.nextLine() {
        if line.isBlank { continue }
        let source = stream.source(of: line, record: recordCount)
        recordCount += 1
        guard let text = decodeUTF8(line.bytes) else { return .bad(.invalidUTF8(at: source)) }
        return .document(text: text, metadata: [:], source: source)
      }
      return nil
    case .paragraph, .file:
      return try nextBlock(&stream, splitOnBlankLines: mode == .paragraph)
    }
  }

  /// Lines up to the next blank line (paragraph) or the end (file), joined by `\n`.
  /// An invalid line makes the whole block bad, reported at that line.
  private mutating func nextBlock(
    _ stream: inout MemberStream, splitOnBlankLines: Bool
  ) throws(ArchiveFailure) -> DecodedRecord? {
    var source: DocumentSource?
    var badLine: DocumentSource?
    var parts: [String] = []
    while let line = try stream.nextLine() {
      if splitOnBlankLines, line.isBlank {
        if source == nil { continue }
        break
      }
      if source == nil { source = stream.source(of: line, record: recordCount) }
      guard badLine == nil else { continue }
      if let text = decodeUTF8(line.bytes) {
        parts.append(text)
      } else {
        badLine = stream.source(of: line, record: recordCount)
      }
    }
    guard let source else { return nil }
    recordCount += 1
    if let badLine { return .bad(.invalidUTF8(at: badLine)) }
    return .document(text: parts.joined(separator: "\n"), metadata: [:], source: source)
  }
}
