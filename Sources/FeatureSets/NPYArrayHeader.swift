import Checkpoints

/// The header of a NumPy `.npy` file, parsed defensively (the counterpart of Checkpoints'
/// `npyHeader(descr:shape:)` writer).
///
/// Layout (NEP 1, format versions 1.0–3.0): the magic `\x93NUMPY`, a major and a minor version
/// byte, the header length (2 bytes little-endian in version 1, 4 bytes in versions 2 and 3),
/// then a Python dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (n, w), }`
/// padded with spaces and a newline; the data follows.
struct NPYArrayHeader: Equatable {
  /// Element type in NumPy's notation (`<f4`, `<f2`, `<i4`, `<i8`).
  var descr: String
  /// Whether the data is stored column-major.
  var fortranOrder: Bool
  /// Dimensions.
  var shape: [Int]
  /// Byte offset of the data in the file.
  var dataOffset: Int

  /// Parses the header at the start of `file`.
  ///
  /// - Throws: the reason it is not a usable `.npy` header.
  init(file: MappedFile) throws(ShardFormatIssue) {
    guard file.count >= 10, let base = file.bytes else {
      throw ShardFormatIssue("\(file.count) bytes, too short for an .npy header")
    }
    let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY
    guard (0..<6).allSatisfy({ base.load(fromByteOffset: $0, as: UInt8.self) == magic[$0] }) else {
      throw ShardFormatIssue("no .npy magic (\\x93NUMPY) at the start")
    }
    let major = base.load(fromByteOffset: 6, as: UInt8.self)
    let headerLength: Int
    let prefix: Int
    switch major {
    case 1:
      headerLength = Int(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 8, as: UInt16.self)))
      prefix = 10
    case 2, 3:
      guard file.count >= 12 else { throw ShardFormatIssue("\(file.count) bytes, too short for an .npy header") }
      headerLength = Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 8, as: UInt32.self)))
      prefix = 12
    default:
      throw ShardFormatIssue(".npy format version \(major) is not supported (1, 2 or 3)")
    }
    guard let dataOffset = CheckedSize.sum(prefix, headerLength), dataOffset <= file.count else {
      throw ShardFormatIssue(".npy header length \(headerLength) runs past the end of the \(file.count)-byte file")
    }
    let text = String(decoding: UnsafeRawBufferPointer(start: base + prefix, count: headerLength), as: UTF8.self)
    var parser = PythonLiteralScanner(text)
    let fields = try parser.dictionary()
    guard case .string(let descr)? = fields["descr"] else {
      throw ShardFormatIssue(".npy header has no string 'descr': \(text.trimmed)")
    }
    guard case .bool(let fortranOrder)? = fields["fortran_order"] else {
      throw ShardFormatIssue(".npy header has no boolean 'fortran_order': \(text.trimmed)")
    }
    guard case .tuple(let shape)? = fields["shape"] else {
      throw ShardFormatIssue(".npy header has no tuple 'shape': \(text.trimmed)")
    }
    self.descr = descr
    self.fortranOrder = fortranOrder
    self.shape = shape
    self.dataOffset = dataOffset
  }
}

/// A scanner for the small Python-literal subset of `.npy` headers: a dict with string keys
/// whose values are strings, `True`/`False`, or tuples of non-negative integers.
private struct PythonLiteralScanner {
  enum Value: Equatable {
    case string(String)
    case bool(Bool)
    case tuple([Int])
  }

  private let characters: [Character]
  private var index = 0
  private let text: String

  init(_ text: String) {
    self.text = text
    characters = Array(text)
  }

  mutating func dictionary() throws(ShardFormatIssue) -> [String: Value] {
    try expect("{")
    var fields: [String: Value] = [:]
    while true {
      skipSpace()
      if peek == "}" { break }
      let key = try string()
      try expect(":")
      fields[key] = try value()
      skipSpace()
      if peek == "," {
        index += 1
      } else {
        break
      }
    }
    try expect("}")
    return fields
  }

  private var peek: Character? { index < characters.count ? characters[index] : nil }

  private mutating func skipSpace() {
    while let c = peek, c.isWhitespace { index += 1 }
  }

  private func fail(_ what: String) -> ShardFormatIssue {
    ShardFormatIssue(".npy header: \(what) at character \(index) of \(text.trimmed)")
  }

  private mutating func expect(_ c: Character) throws(ShardFormatIssue) {
    skipSpace()
    guard peek == c else { throw fail("expected '\(c)'") }
    index += 1
  }

  private mutating func string() throws(ShardFormatIssue) -> String {
    skipSpace()
    guard let quote = peek, quote == "'" || quote == "\"" else { throw fail("expected a quoted string") }
    index += 1
    var out = ""
    while let c = peek, c != quote {
      out.append(c)
      index += 1
    }
    guard peek == quote else { throw fail("unterminated string") }
    index += 1
    return out
  }

  private mutating func integer() throws(ShardFormatIssue) -> Int {
    skipSpace()
    var digits = ""
    while let c = peek, c.isASCII, c.isNumber {
      digits.append(c)
      index += 1
    }
    // A trailing `L` (Python 2 longs) is tolerated.
    if peek == "L" { index += 1 }
    guard let value = Int(digits) else { throw fail("expected a non-negative integer that fits in 64 bits") }
    return value
  }

  private mutating func value() throws(ShardFormatIssue) -> Value {
    skipSpace()
    switch peek {
    case "'", "\"":
      return .string(try string())
    case "(":
      index += 1
      var items: [Int] = []
      while true {
        skipSpace()
        if peek == ")" { break }
        items.append(try integer())
        skipSpace()
        if peek == "," { index += 1 } else { break }
      }
      try expect(")")
      return .tuple(items)
    default:
      for (word, flag) in [("True", true), ("False", false)] where characters[index...].starts(with: word) {
        index += word.count
        return .bool(flag)
      }
      throw fail("expected a string, a tuple, True or False")
    }
  }
}

extension String {
  /// The text without surrounding whitespace, for quoting headers in messages.
  fileprivate var trimmed: String { String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed()) }
}
