import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writing a file could not be completed; the file at ``file`` is unchanged.
public struct AtomicFileError: Error, Equatable, CustomStringConvertible {
  /// The file that was being written.
  public var file: URL
  /// What failed, from the operating system's point of view.
  public var reason: String

  /// Describes a failed write of `file`.
  public init(file: URL, reason: String) {
    self.file = file
    self.reason = reason
  }

  public var description: String { "\(file.path): cannot write: \(reason)" }
}

/// The one way `bae` writes files: into a temporary sibling, flushed to disk, then renamed over
/// the target, so a reader (or a resumed run after a crash) sees either the old file or the whole
/// new one, never a prefix.
///
/// The temporary file is `.<name>.partial-<pid>-<random>` in the target's directory (a rename
/// only replaces atomically within one file system); it is removed when anything fails.
///
/// ```swift
/// try AtomicFile.write(Data("{}".utf8), to: directory.appendingPathComponent("config.json"))
/// let bytes = try AtomicFile.write(to: shard, observe: { hasher.update(data: $0) }) { sink in
///   try sink(header)
///   for chunk in chunks { try sink(chunk) }
/// }
/// ```
public enum AtomicFile {
  /// Receives the next bytes of the file.
  public typealias Sink = (Data) throws(AtomicFileError) -> Void

  /// Writes `data` to `url`, replacing any file there.
  ///
  /// - Throws: ``AtomicFileError`` naming `url`.
  public static func write(_ data: Data, to url: URL) throws(AtomicFileError) {
    do {
      try write(to: url) { sink in try sink(data) }
    } catch let error as AtomicFileError {
      throw error
    } catch {
      // The body above only calls the sink, which throws AtomicFileError.
      throw AtomicFileError(file: url, reason: String(describing: error))
    }
  }

  /// Writes the bytes `body` hands to its sink, in order, to `url`, replacing any file there.
  ///
  /// - Parameters:
  ///   - url: the file to write; its directory must exist.
  ///   - observe: called with every chunk after it is written (a running hash, a progress count).
  ///   - body: produces the contents by calling the sink; it must not keep the sink.
  /// - Returns: the number of bytes written.
  /// - Throws: ``AtomicFileError`` when the file system fails; any error `body` throws, unchanged.
  ///   Either way the temporary file is removed and the target is left as it was.
  @discardableResult
  public static func write(
    to url: URL, observe: ((Data) -> Void)? = nil, _ body: (_ sink: Sink) throws -> Void
  ) throws -> Int {
    let temporary = temporaryURL(for: url)
    let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
    guard descriptor >= 0 else {
      throw AtomicFileError(file: url, reason: "cannot create \(temporary.lastPathComponent): \(lastErrorText())")
    }
    var isOpen = true
    var written = 0
    do {
      try body { (data: Data) throws(AtomicFileError) in
        try writeAll(data, to: descriptor, file: url)
        written += data.count
        observe?(data)
      }
      guard fsync(descriptor) == 0 else { throw AtomicFileError(file: url, reason: "fsync: \(lastErrorText())") }
      isOpen = false
      guard close(descriptor) == 0 else { throw AtomicFileError(file: url, reason: "close: \(lastErrorText())") }
      // rename(2) replaces an existing file atomically.
      guard rename(temporary.path, url.path) == 0 else {
        throw AtomicFileError(file: url, reason: "rename: \(lastErrorText())")
      }
    } catch {
      if isOpen { close(descriptor) }
      unlink(temporary.path)
      throw error
    }
    syncDirectory(of: url)
    return written
  }

  /// Whether `fileName` is one of this type's temporary files (left behind only by a process
  /// that was killed mid-write), so directory clean-ups can remove it.
  public static func isTemporaryFile(_ fileName: String) -> Bool {
    fileName.hasPrefix(".") && fileName.contains(partialMarker)
  }

  private static let partialMarker = ".partial-"

  /// `.<name>.partial-<pid>-<random>` next to `url`.
  static func temporaryURL(for url: URL) -> URL {
    let random = String(UInt32.random(in: 0...UInt32.max), radix: 16)
    let name = ".\(url.lastPathComponent)\(partialMarker)\(getpid())-\(random)"
    return url.deletingLastPathComponent().appendingPathComponent(name)
  }

  private static func writeAll(_ data: Data, to descriptor: Int32, file: URL) throws(AtomicFileError) {
    let failure: Int32? = data.withUnsafeBytes { raw -> Int32? in
      guard let base = raw.baseAddress else { return nil }
      var offset = 0
      while offset < raw.count {
        let count = posixWrite(descriptor, base + offset, raw.count - offset)
        if count < 0 {
          if errno == EINTR { continue }
          return errno
        }
        offset += count
      }
      return nil
    }
    if let failure { throw AtomicFileError(file: file, reason: String(cString: strerror(failure))) }
  }

  /// Flushes the directory entry of the rename; best effort (some file systems refuse).
  private static func syncDirectory(of url: URL) {
    let directory = open(url.deletingLastPathComponent().path, O_RDONLY | O_CLOEXEC)
    guard directory >= 0 else { return }
    _ = fsync(directory)
    close(directory)
  }

  private static func lastErrorText() -> String { String(cString: strerror(errno)) }
}

/// write(2), named apart from ``AtomicFile/write(to:observe:_:)``.
private func posixWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
  #if canImport(Glibc)
    Glibc.write(descriptor, bytes, count)
  #else
    Darwin.write(descriptor, bytes, count)
  #endif
}
