import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Every scratch directory of this test process lives under one folder, removed when the
/// process exits.
private let scratchRoot: URL = {
  let root = FileManager.default.temporaryDirectory.appendingPathComponent(
    "bae-tests-\(getpid())-\(UUID().uuidString.prefix(8))")
  try? FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
  atexit { try? FileManager.default.removeItem(at: scratchRoot) }
  return root
}()

/// A fresh, empty directory for one test, with helpers to write files into it.
///
/// It is a value (nothing is removed while a test still holds a path into it); the whole tree is
/// removed when the test process exits.
public struct ScratchDirectory: Sendable {
  /// The directory.
  public let url: URL

  /// Creates `<tmp>/bae-tests-<pid>-…/<label>-<uuid>`.
  public init(_ label: String = "scratch") throws {
    url = scratchRoot.appendingPathComponent("\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  /// The URL of `name` inside the directory (not created).
  public func url(_ name: String) -> URL { url.appendingPathComponent(name) }

  /// The path of `name` inside the directory (not created).
  public func path(_ name: String) -> String { url(name).path }

  /// Writes `bytes` to `name` (creating folders) and returns its path.
  @discardableResult
  public func write(_ name: String, bytes: [UInt8]) throws -> String {
    let file = url(name)
    try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(bytes).write(to: file)
    return file.path
  }

  /// Writes UTF-8 `text` to `name` (creating folders) and returns its path.
  @discardableResult
  public func write(_ name: String, _ text: String) throws -> String {
    try write(name, bytes: Array(text.utf8))
  }

  /// A copy of `source` (a file or directory) at `name`, returned as a URL.
  public func copy(_ source: URL, to name: String) throws -> URL {
    let target = url(name)
    try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
    try FileManager.default.copyItem(at: source, to: target)
    return target
  }
}
