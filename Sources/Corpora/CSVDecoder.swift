/// CSV/TSV with RFC 4180 quoting: a quoted field may hold the delimiter,
/// doubled quotes (`""`) and line breaks (read back as `\n`).
struct CSVDecoder {
  let column: CSVColumn
  let delimiter: UInt8
  let hasHeader: Bool
  private var columnIndex: Int?
  private var headerRead = false
  private(set) var recordCount = 0

  init(column: CSVColumn, delimiter: UInt8, hasHeader: Bool) {
    self.column = column
    self.delimiter = delimiter
    self.hasHeader = hasHeader
    if case .index(let index) = column { columnIndex = index }
  }

  mutating func next(_ stream: inout MemberStream) throws(ArchiveFailure) -> DecodedRecord? {
    while let first = try stream.nextLine() {
      // A record goes on while it has an odd number of quotes (one is open).
      // A record over the limit (a line, or an unterminated quote running on) is read to its
      // end without being kept. Quotes of a dropped line are not counted: it ends the record.
      var bytes = first.bytes
      var length = first.overLimit ?? UInt64(bytes.count)
      var tooLong = first.overLimit != nil
      var quotes = bytes.count { $0 == 0x22 }
      while quotes % 2 == 1, let more = try stream.nextLine() {
        length += 1 + (more.overLimit ?? UInt64(more.bytes.count))
        if more.overLimit != nil || length > UInt64(stream.recordLimit) {
          tooLong = true
          bytes.removeAll()
        }
        if !tooLong {
          bytes.append(0x0A)
          bytes.append(contentsOf: more.bytes)
        }
        quotes += more.bytes.count { $0 == 0x22 }
      }
      if !tooLong, bytes.allSatisfy(isASCIIWhitespace) { continue }
      let isHeader = hasHeader && !headerRead
      let source = stream.source(of: first, record: recordCount)
      if !isHeader { recordCount += 1 }
      if tooLong {
        let error = CorpusError.recordTooLong(at: source, bytes: length, limit: stream.recordLimit)
        return isHeader ? .badMember(error) : .bad(error)
      }
      guard decodeUTF8(bytes) != nil else {
        return isHeader ? .badMember(.invalidUTF8(at: source)) : .bad(.invalidUTF8(at: source))
      }
      let fields: [[UInt8]]
      switch Self.split(bytes, delimiter: delimiter) {
      case .success(let cells): fields = cells
      case .failure(let problem):
        let error = CorpusError.malformedCSV(at: source, message: problem.message)
        return isHeader ? .badMember(error) : .bad(error)
      }
      if isHeader {
        headerRead = true
        if case .name(let name) = column {
          guard let index = fields.firstIndex(where: { String(decoding: $0, as: UTF8.self) == name })
          else { return .badMember(.missingField(field: "column \(column)", at: source)) }
          columnIndex = index
        }
        continue
      }
      guard let columnIndex else {
        return .badMember(.missingField(field: "column \(column) (no header row)", at: source))
      }
      guard columnIndex < fields.count else {
        return .bad(.missingField(field: "column \(column)", at: source))
      }
      return .document(
        text: String(decoding: fields[columnIndex], as: UTF8.self), metadata: [:], source: source)
    }
    return nil
  }

  struct Problem: Error {
    var message: String
  }

  /// Splits one record into unquoted field bytes.
  static func split(_ bytes: [UInt8], delimiter: UInt8) -> Result<[[UInt8]], Problem> {
    enum State { case fieldStart, unquoted, quoted, quoteInQuoted }
    let quote: UInt8 = 0x22
    var fields: [[UInt8]] = []
    var field: [UInt8] = []
    var state = State.fieldStart
    for byte in bytes {
      switch state {
      case .fieldStart:
        if byte == quote {
          state = .quoted
        } else if byte == delimiter {
          fields.append(field)
          field = []
        } else {
          field.append(byte)
          state = .unquoted
        }
      case .unquoted:
        if byte == delimiter {
          fields.append(field)
          field = []
          state = .fieldStart
        } else {
          field.append(byte)
        }
      case .quoted:
        if byte == quote { state = .quoteInQuoted } else { field.append(byte) }
      case .quoteInQuoted:
        if byte == quote {
          field.append(quote)
          state = .quoted
        } else if byte == delimiter {
          fields.append(field)
          field = []
          state = .fieldStart
        } else {
          return .failure(Problem(message: "text after a closing quote in field \(fields.count)"))
        }
      }
    }
    if state == .quoted {
      return .failure(Problem(message: "unterminated quoted field \(fields.count)"))
    }
    fields.append(field)
    return .success(fields)
  }
}
