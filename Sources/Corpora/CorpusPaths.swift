import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Expands corpus paths (files, directories, globs) into a file list.
public enum CorpusPaths {
  /// Expands each path in order: a file is itself; a directory is every
  /// regular file below it, recursively, sorted by path, skipping names that
  /// start with `.`; a path with `*`, `?` or `[` that is not an existing file
  /// is a glob, its matches sorted (each match expanded the same way).
  /// - Parameter paths: Files, directories or glob patterns.
  /// - Returns: The files, in a deterministic order.
  /// - Throws: ``CorpusError/pathNotFound(path:)`` for a path that matches nothing.
  public static func expand(_ paths: [String]) throws(CorpusError) -> [String] {
    var files: [String] = []
    for path in paths {
      if FileManager.default.fileExists(atPath: path) {
        files += walk(path)
      } else if path.contains(where: { "*?[".contains($0) }) {
        let matches = glob(path)
        guard !matches.isEmpty else { throw .pathNotFound(path: path) }
        for match in matches { files += walk(match) }
      } else {
        throw .pathNotFound(path: path)
      }
    }
    return files
  }

  /// `path` itself if it is not a directory; else its files, depth first, sorted.
  private static func walk(_ path: String) -> [String] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
      isDirectory.boolValue
    else { return [path] }
    let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    let prefix = path.hasSuffix("/") ? path : path + "/"
    return names.filter { !$0.hasPrefix(".") }.sorted().flatMap { walk(prefix + $0) }
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
