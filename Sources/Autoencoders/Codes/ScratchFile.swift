import Checkpoints
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A temporary file next to an output, for data whose size is known only at the end of a pass
/// (a compressed file's deviation lists): appended to, read back in chunks, then removed. Named
/// like ``AtomicFile``'s temporaries, so clean-ups recognise one left by a killed process.
final class ScratchFile {
  let url: URL
  private let handle: FileHandle
  /// Bytes appended so far.
  private(set) var count = 0

  /// Creates `.<name>.partial-<pid>-<tag>` beside `target`.
  init(beside target: URL, tag: String) throws(CodeError) {
    url = target.deletingLastPathComponent().appendingPathComponent(
      ".\(target.lastPathComponent).partial-\(getpid())-\(tag)")
    guard FileManager.default.createFile(atPath: url.path, contents: nil),
      let handle = FileHandle(forUpdatingAtPath: url.path)
    else {
      throw .writeFailed(file: url, reason: "cannot create a temporary file")
    }
    self.handle = handle
  }

  deinit {
    try? handle.close()
    unlink(url.path)
  }

  /// Appends `data`.
  func append(_ data: Data) throws(CodeError) {
    do {
      try handle.write(contentsOf: data)
    } catch {
      throw .writeFailed(file: url, reason: error.localizedDescription)
    }
    count += data.count
  }

  /// Hands the whole contents to `body` in chunks of at most `chunkSize` bytes.
  func forEachChunk(chunkSize: Int = 1 << 22, _ body: (Data) throws -> Void) throws {
    try handle.seek(toOffset: 0)
    var left = count
    while left > 0 {
      guard let chunk = try handle.read(upToCount: min(chunkSize, left)), !chunk.isEmpty else {
        throw CodeError.unreadable(file: url, reason: "the temporary file ended early")
      }
      try body(chunk)
      left -= chunk.count
    }
  }
}

// Safetensors data are little-endian, as is every platform `bae` builds for (SafetensorsWriter
// also stores arrays' memory as it is).

extension Array where Element: FixedWidthInteger {
  /// The elements as little-endian bytes.
  var littleEndianData: Data { withUnsafeBufferPointer { Data(buffer: $0) } }
}

extension Array where Element == Float {
  /// The elements as little-endian F32 bytes.
  var littleEndianData: Data { withUnsafeBufferPointer { Data(buffer: $0) } }
}
