#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One line of a decompressed stream.
struct Line {
  /// The bytes without the `\n` (and without a `\r` before it); empty for a line over the limit.
  var bytes: [UInt8]
  /// The 1-based line number.
  var number: Int
  /// The byte offset of its first byte in the decompressed stream.
  var offset: UInt64
  /// For a line longer than the reader's limit: its length in bytes (its bytes were read and
  /// dropped, never held); `nil` for a line within the limit.
  var overLimit: UInt64? = nil
}

/// Cuts the chunks of one archive member into lines, carrying a partial line
/// across chunk boundaries.
///
/// A line longer than `limit` bytes is not kept: its bytes are read and dropped as they come,
/// and it is returned empty with ``Line/overLimit`` set, so a file without a newline (1 GB of
/// text in one line) costs one chunk plus `limit` bytes of memory, not its size.
///
/// - Complexity: Memory is one chunk plus at most `limit` bytes.
struct LineReader {
  /// The longest line kept, in bytes.
  let limit: Int
  private var buffer: [UInt8] = []
  private var start = 0
  private var atEnd = false
  /// The number the next line will have.
  private(set) var nextNumber = 1
  /// The stream offset of the next line.
  private(set) var nextOffset: UInt64 = 0

  /// A reader that keeps lines of at most `limit` bytes.
  init(limit: Int) { self.limit = max(1, limit) }

  /// Returns the next line of `input`'s current member, or `nil` at its end.
  /// A UTF-8 byte-order mark at the start of the member is dropped.
  mutating func next(from input: ArchiveInput) throws(ArchiveFailure) -> Line? {
    var searchFrom = start
    while true {
      if let newline = Self.indexOfNewline(in: buffer, from: searchFrom) {
        if newline - start > limit { return skip(upTo: newline, consumed: newline + 1 - start) }
        return take(upTo: newline, consumed: newline + 1 - start)
      }
      if buffer.count - start > limit { return try dropLongLine(from: input) }
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

  /// A line over the limit that ends inside the buffer: returned empty.
  private mutating func skip(upTo end: Int, consumed: Int) -> Line {
    let line = Line(bytes: [], number: nextNumber, offset: nextOffset, overLimit: UInt64(end - start))
    start += consumed
    nextNumber += 1
    nextOffset += UInt64(consumed)
    return line
  }

  /// Reads and drops the rest of a line already longer than the limit, chunk by chunk, up to
  /// its newline (or the member's end); the buffer keeps only what follows the newline.
  private mutating func dropLongLine(from input: ArchiveInput) throws(ArchiveFailure) -> Line {
    var length = UInt64(buffer.count - start)
    var consumedNewline = false
    buffer.removeAll(keepingCapacity: true)
    start = 0
    while !atEnd {
      if try input.read(appendingTo: &buffer) == 0 {
        atEnd = true
        break
      }
      if let newline = Self.indexOfNewline(in: buffer, from: 0) {
        length += UInt64(newline)
        buffer.removeSubrange(0...newline)
        consumedNewline = true
        break
      }
      length += UInt64(buffer.count)
      buffer.removeAll(keepingCapacity: true)
    }
    let line = Line(bytes: [], number: nextNumber, offset: nextOffset, overLimit: length)
    nextNumber += 1
    nextOffset += length + (consumedNewline ? 1 : 0)
    return line
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
  var isBlank: Bool { overLimit == nil && bytes.allSatisfy(isASCIIWhitespace) }
}

/// Space, tab, CR, LF, vertical tab, form feed.
func isASCIIWhitespace(_ byte: UInt8) -> Bool {
  byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
}

/// The bytes as a `String`, or `nil` if they are not valid UTF-8.
func decodeUTF8(_ bytes: [UInt8]) -> String? {
  String(validating: bytes, as: UTF8.self)
}
