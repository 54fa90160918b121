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
        if let length = line.overLimit {
          return .bad(.recordTooLong(at: source, bytes: length, limit: stream.recordLimit))
        }
        guard let text = decodeUTF8(line.bytes) else { return .bad(.invalidUTF8(at: source)) }
        return .document(text: text, metadata: [:], source: source)
      }
      return nil
    case .paragraph, .file:
      return try nextBlock(&stream, splitOnBlankLines: mode == .paragraph)
    }
  }

  /// Lines up to the next blank line (paragraph) or the end (file), joined by `\n`.
  /// An invalid line makes the whole block bad, reported at that line; a block longer than the
  /// record limit is bad too, and its lines are read to its end without being kept.
  private mutating func nextBlock(
    _ stream: inout MemberStream, splitOnBlankLines: Bool
  ) throws(ArchiveFailure) -> DecodedRecord? {
    var source: DocumentSource?
    var badLine: DocumentSource?
    var parts: [String] = []
    var bytes: UInt64 = 0
    var tooLong = false
    while let line = try stream.nextLine() {
      if splitOnBlankLines, line.isBlank {
        if source == nil { continue }
        break
      }
      if source == nil { source = stream.source(of: line, record: recordCount) }
      bytes += (line.overLimit ?? UInt64(line.bytes.count)) + (parts.isEmpty ? 0 : 1)
      if line.overLimit != nil || bytes > UInt64(stream.recordLimit) {
        tooLong = true
        parts.removeAll()
      }
      guard badLine == nil, !tooLong else { continue }
      if let text = decodeUTF8(line.bytes) {
        parts.append(text)
      } else {
        badLine = stream.source(of: line, record: recordCount)
      }
    }
    guard let source else { return nil }
    recordCount += 1
    if tooLong { return .bad(.recordTooLong(at: source, bytes: bytes, limit: stream.recordLimit)) }
    if let badLine { return .bad(.invalidUTF8(at: badLine)) }
    return .document(text: parts.joined(separator: "\n"), metadata: [:], source: source)
  }
}
