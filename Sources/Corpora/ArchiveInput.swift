import CArchive

/// A libarchive failure, converted to ``CorpusError`` by the caller, who knows
/// the file, member and line.
struct ArchiveFailure: Error {
  var message: String
}

/// One regular-file entry of an opened file.
struct ArchiveMember {
  /// The member's path inside the archive; `nil` for a plain or compressed
  /// single file (libarchive's raw format).
  var name: String?
}

/// A file opened through libarchive: plain, compressed (every filter Debian's
/// libarchive has) or an archive (tar, zip, 7z, cpio, rar), read in fixed-size chunks.
///
/// - Complexity: Memory is one chunk of ``chunkSize`` bytes, whatever the file size.
final class ArchiveInput {
  /// The path that was opened.
  let path: String
  /// Decompressed bytes read so far, over all members.
  private(set) var bytesRead: UInt64 = 0
  private let handle: OpaquePointer
  private let chunk: UnsafeMutableRawBufferPointer

  /// Opens `path` for streaming.
  /// - Parameters:
  ///   - path: The file to open.
  ///   - chunkSize: The size of each read, in bytes.
  /// - Throws: ``ArchiveFailure`` if libarchive cannot open the file.
  init(path: String, chunkSize: Int) throws(ArchiveFailure) {
    guard let handle = archive_read_new() else {
      throw ArchiveFailure(message: "libarchive could not allocate a reader")
    }
    archive_read_support_filter_all(handle)
    // Archive formats with unambiguous magic bytes only: `format_all` would
    // add mtree, which claims almost any plain text (`name,other` lines).
    // Raw (a single unnamed entry) bids lowest, so these archives win and
    // anything else is read as one plain stream.
    archive_read_support_format_tar(handle)
    archive_read_support_format_zip(handle)
    archive_read_support_format_7zip(handle)
    archive_read_support_format_cpio(handle)
    archive_read_support_format_rar(handle)
    archive_read_support_format_rar5(handle)
    archive_read_support_format_empty(handle)
    archive_read_support_format_raw(handle)
    let size = max(1, chunkSize)
    if archive_read_open_filename(handle, path, size) != ARCHIVE_OK {
      let message = Self.errorMessage(handle)
      archive_read_free(handle)
      throw ArchiveFailure(message: message)
    }
    self.path = path
    self.handle = handle
    self.chunk = .allocate(byteCount: size, alignment: 16)
  }

  deinit {
    archive_read_free(handle)
    chunk.deallocate()
  }

  /// Advances to the next regular-file member, skipping directories, links
  /// and macOS resource forks (`__MACOSX/`, `._name`).
  /// - Returns: The member, or `nil` after the last one.
  /// - Throws: ``ArchiveFailure`` on unrecognised or corrupt data.
  func nextMember() throws(ArchiveFailure) -> ArchiveMember? {
    while true {
      var entry: OpaquePointer?
      let status = archive_read_next_header(handle, &entry)
      if status == ARCHIVE_EOF { return nil }
      guard status >= ARCHIVE_WARN, let entry else {
        throw ArchiveFailure(message: Self.errorMessage(handle))
      }
      if archive_format(handle) == ARCHIVE_FORMAT_RAW { return ArchiveMember(name: nil) }
      // S_IFMT / S_IFREG: keep regular files only.
      guard archive_entry_filetype(entry) & 0o170000 == 0o100000 else { continue }
      let raw = archive_entry_pathname_utf8(entry) ?? archive_entry_pathname(entry)
      let name = raw.map { String(cString: $0) } ?? ""
      let base = name.split(separator: "/").last.map(String.init) ?? name
      if name.hasPrefix("__MACOSX/") || base.hasPrefix("._") { continue }
      return ArchiveMember(name: name)
    }
  }

  /// Whether the opened file was read as an archive (tar, zip, …) rather than as one plain
  /// (possibly compressed) stream; meaningful once ``nextMember()`` has been called.
  var isArchive: Bool {
    let format = archive_format(handle)
    return format != ARCHIVE_FORMAT_RAW && format != ARCHIVE_FORMAT_EMPTY && format != 0
  }

  /// Whether the (decompressed) bytes of the file at `path` are all NUL, read as one raw
  /// stream in chunks; `true` when it cannot be read (nothing to report beyond libarchive's view).
  static func holdsOnlyZeros(path: String, chunkSize: Int) -> Bool {
    guard let handle = archive_read_new() else { return true }
    defer { archive_read_free(handle) }
    archive_read_support_filter_all(handle)
    archive_read_support_format_raw(handle)
    let size = max(1, chunkSize)
    var entry: OpaquePointer?
    guard archive_read_open_filename(handle, path, size) == ARCHIVE_OK,
      archive_read_next_header(handle, &entry) >= ARCHIVE_WARN
    else { return true }
    let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
    defer { chunk.deallocate() }
    while true {
      let count = archive_read_data(handle, chunk.baseAddress, size)
      if count <= 0 { return true }
      if UnsafeRawBufferPointer(rebasing: chunk[0..<count]).contains(where: { $0 != 0 }) { return false }
    }
  }

  /// Reads the next chunk of the current member and appends it to `buffer`.
  /// - Returns: The number of bytes appended; 0 at the end of the member.
  /// - Throws: ``ArchiveFailure`` on truncated or corrupt data.
  func read(appendingTo buffer: inout [UInt8]) throws(ArchiveFailure) -> Int {
    let count = archive_read_data(handle, chunk.baseAddress, chunk.count)
    if count < 0 { throw ArchiveFailure(message: Self.errorMessage(handle)) }
    if count > 0 {
      buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<count]))
      bytesRead += UInt64(count)
    }
    return count
  }

  private static func errorMessage(_ handle: OpaquePointer) -> String {
    if let text = archive_error_string(handle) { return String(cString: text) }
    return "libarchive error \(archive_errno(handle))"
  }
}
