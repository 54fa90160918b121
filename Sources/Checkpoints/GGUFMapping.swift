import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A read-only, private memory map of a whole GGUF file.
///
/// The bytes stay valid for the object's lifetime; `deinit` unmaps them. The pages are
/// loaded lazily by the kernel, so opening a large file costs only the header it parses.
final class GGUFMapping: @unchecked Sendable {
  // @unchecked: the mapping is PROT_READ and never changes after init.

  /// Start of the mapping (`nil` for an empty file).
  let bytes: UnsafeRawPointer?
  /// File size in bytes.
  let count: Int

  /// Maps `url` read-only.
  ///
  /// - Throws: ``CheckpointError/unreadable(file:reason:)`` if it cannot be opened, is a
  ///   directory, or cannot be mapped.
  init(url: URL) throws(CheckpointError) {
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
    guard count > 0 else {
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
