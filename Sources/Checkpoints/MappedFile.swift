import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A read-only, private memory map of a whole file. The bytes stay valid while the object
/// lives; pages are loaded lazily, so opening a large file costs only what is read.
public final class MappedFile: @unchecked Sendable {
  // @unchecked: the mapping is read-only and immutable after init.
  /// The file that was mapped.
  public let url: URL
  /// Start of the mapping (`nil` for an empty file).
  public let bytes: UnsafeRawPointer?
  /// File size in bytes.
  public let count: Int

  /// Maps `url` read-only.
  ///
  /// - Throws: ``CheckpointError/unreadable(file:reason:)`` if it cannot be opened or mapped.
  public init(_ url: URL) throws(CheckpointError) {
    self.url = url
    let fd = open(url.path, O_RDONLY)
    guard fd >= 0 else {
      throw .unreadable(file: url, reason: String(cString: strerror(errno)))
    }
    defer { close(fd) }
    var status = stat()
    guard fstat(fd, &status) == 0 else {
      throw .unreadable(file: url, reason: String(cString: strerror(errno)))
    }
    guard (status.st_mode & S_IFMT) == S_IFREG else {
      throw .unreadable(file: url, reason: "not a regular file")
    }
    count = Int(status.st_size)
    if count == 0 {
      bytes = nil
      return
    }
    let pointer = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0)
    guard let pointer, pointer != MAP_FAILED else {
      throw .unreadable(file: url, reason: "mmap failed: \(String(cString: strerror(errno)))")
    }
    bytes = UnsafeRawPointer(pointer)
  }

  deinit {
    if let bytes { munmap(UnsafeMutableRawPointer(mutating: bytes), count) }
  }
}
