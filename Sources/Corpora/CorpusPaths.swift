import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An entry of a corpus directory that was not read, and why.
public struct SkippedCorpusPath: Sendable, Hashable, CustomStringConvertible {
  /// Why an entry was left out.
  public enum Reason: String, Sendable, Hashable, CaseIterable {
    /// A FIFO, socket, or character or block device: opening it could block forever.
    case notARegularFile = "not a regular file"
    /// A file or directory already read through another path (a symlink, a `self -> .` link
    /// or a link cycle), so its documents are read once.
    case alreadyVisited = "already read through another path"
    /// A symlink whose target does not exist, or an entry that cannot be inspected.
    case unreadable = "cannot be inspected (broken link?)"
  }

  /// The entry as the walk reached it.
  public var path: String
  /// Why it was left out.
  public var reason: Reason

  /// An entry left out for `reason`.
  public init(path: String, reason: Reason) {
    self.path = path
    self.reason = reason
  }

  public var description: String { "\(path) (\(reason.rawValue))" }
}

/// The files corpus paths expand to, and the directory entries left out.
public struct CorpusFileList: Sendable, Hashable {
  /// The files, in reading order.
  public var files: [String]
  /// Entries found while walking directories that are not read (counted in warnings).
  public var skipped: [SkippedCorpusPath]
}

/// Expands corpus paths (files, directories, globs) into a file list.
public enum CorpusPaths {
  /// Expands each path in order; see ``scan(_:)``.
  /// - Parameter paths: Files, directories or glob patterns.
  /// - Returns: The files, in a deterministic order.
  /// - Throws: ``CorpusError/pathNotFound(path:)`` for a path that matches nothing.
  public static func expand(_ paths: [String]) throws(CorpusError) -> [String] {
    try scan(paths).files
  }

  /// Expands each path in order: a file is itself; a directory is every regular file below it,
  /// recursively, sorted by path, skipping names that start with `.`; a path with `*`, `?` or
  /// `[` that is not an existing file is a glob, its matches sorted (each match expanded the
  /// same way).
  ///
  /// Walks never loop and never block: every directory and file is identified by its real
  /// path (symlinks resolved), and one already reached is left out (a link cycle or a
  /// `self -> .` link is walked once, a file linked twice is read once); FIFOs, sockets and
  /// devices found in a directory are left out without being opened (`stat` only). Each left-out
  /// entry is listed in ``CorpusFileList/skipped``. A path given explicitly is kept whatever
  /// it is (a named pipe such as `<(zcat …)` is the user's choice), except a file already
  /// listed.
  ///
  /// - Parameter paths: Files, directories or glob patterns.
  /// - Returns: The files and the skipped entries.
  /// - Throws: ``CorpusError/pathNotFound(path:)`` for a path that matches nothing.
  public static func scan(_ paths: [String]) throws(CorpusError) -> CorpusFileList {
    var walker = Walker()
    for path in paths {
      if FileManager.default.fileExists(atPath: path) {
        walker.walk(path, explicit: true)
      } else if path.contains(where: { "*?[".contains($0) }) {
        let matches = glob(path)
        guard !matches.isEmpty else { throw .pathNotFound(path: path) }
        for match in matches { walker.walk(match, explicit: true) }
      } else {
        throw .pathNotFound(path: path)
      }
    }
    return CorpusFileList(files: walker.files, skipped: walker.skipped)
  }

  /// Depth-first walk that remembers the real path of everything it entered or listed.
  private struct Walker {
    var files: [String] = []
    var skipped: [SkippedCorpusPath] = []
    var visited: Set<String> = []

    mutating func walk(_ path: String, explicit: Bool) {
      var status = stat()
      // stat follows symlinks: the type of what a link points to.
      guard stat(path, &status) == 0 else {
        if explicit { files.append(path) } else { skipped.append(.init(path: path, reason: .unreadable)) }
        return
      }
      let type = status.st_mode & S_IFMT
      let real = realPath(path) ?? path
      if type == S_IFDIR {
        guard visited.insert(real).inserted else {
          skipped.append(.init(path: path, reason: .alreadyVisited))
          return
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        let prefix = path.hasSuffix("/") ? path : path + "/"
        for name in names.filter({ !$0.hasPrefix(".") }).sorted() { walk(prefix + name, explicit: false) }
        return
      }
      guard type == S_IFREG || explicit else {
        skipped.append(.init(path: path, reason: .notARegularFile))
        return
      }
      guard visited.insert(real).inserted else {
        skipped.append(.init(path: path, reason: .alreadyVisited))
        return
      }
      files.append(path)
    }
  }

  /// The canonical absolute path of `path` (every symlink resolved), or `nil`.
  private static func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
  }

  private static func glob(_ pattern: String) -> [String] {
    var result = glob_t()
    defer { globfree(&result) }
    #if canImport(Glibc)
      guard Glibc.glob(pattern, 0, nil, &result) == 0 else { return [] }
    #else
      guard Darwin.glob(pattern, 0, nil, &result) == 0 else { return [] }
    #endif
    var matches: [String] = []
    for index in 0..<Int(result.gl_pathc) {
      if let path = result.gl_pathv[index] { matches.append(String(cString: path)) }
    }
    return matches.sorted()
  }
}
