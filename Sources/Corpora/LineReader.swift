#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One line of a decompressed stream.
struct Line {
  /// The bytes without the `\n` (and without a `\r` before it).
  var bytes: [UInt8]
  /// The 1-based line number.
  var number: Int
  /// The byte offset of its first byte in the decompressed stream.
  var offset: UInt64
}

/// Cuts the chunks of one archive member into lines, carrying a partial line
/// across chunk boundaries.
///
/// - Complexity: Memory is one chunk plus the longest line.
struct LineReader {
  private var buffer: [UInt8] = []
  private var start = 0
  private var atEnd = false
  /// The number the next line will have.
  private(set) var nextNumber = 1
  /// The stream offset of the next line.
  private(set) var nextOffset: UInt64 = 0

  /// Returns the next line of `input`'s current member, or `nil` at its end.
  /// A UTF-8 byte-order mark at the start of the member is dropped.
  mutating func next(from input: ArchiveInput) throws(ArchiveFailure) -> Line? {
    var searchFrom = start
    while true {
      if let newline = Self.indexOfNewline(in: buffer, from: searchFrom) {
        return take(upTo: newline, consumed: newline + 1 - start)
      }
      if atEnd {
        return start < buffer.count ? take(upTo: buffer.count, consumed: buffer.count - start) : nil
      }
      if start > 0 {
        buffer.removeSubrange(0..<start)
        start = 0
      }
      searchFrom = buffer.count
      if try input.read(appendingTo: &buffer) == 0 { atEnd = true }
    }
  }

  private mutating func take(upTo end: Int, consumed: Int) -> Line {
    var last = end
    if last > start, buffer[last - 1] == 0x0D { last -= 1 }
    var first = start
    if nextOffset == 0, last - first >= 3, buffer[first] == 0xEF, buffer[first + 1] == 0xBB,
      buffer[first + 2] == 0xBF
    {
      first += 3
    }
    let line = Line(bytes: Array(buffer[first..<last]), number: nextNumber, offset: nextOffset)
    start += consumed
    nextNumber += 1
    nextOffset += UInt64(consumed)
    return line
  }

  private static func indexOfNewline(in buffer: [UInt8], from index: Int) -> Int? {
    guard index < buffer.count else { return nil }
    return buffer.withUnsafeBytes { bytes -> Int? in
      guard let base = bytes.baseAddress,
        let hit = memchr(base + index, 0x0A, bytes.count - index)
      else { return nil }
      return base.distance(to: UnsafeRawPointer(hit))
    }
  }
}

extension Line {
  /// Whether the line holds only spaces, tabs and other ASCII white space.
  var isBlank: Bool { bytes.allSatisfy(isASCIIWhitespace) }
}

/// Space, tab, CR, LF, vertical tab, form feed.
func isASCIIWhitespace(_ byte: UInt8) -> Bool {
  byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
}

/// The bytes as a `String`, or `nil` if they are not valid UTF-8.
func decodeUTF8(_ bytes: [UInt8]) -> String? {
  String(validating: bytes, as: UTF8.self)
}
