import Foundation

/// The Hugging Face Hub's on-disk cache, as Python's `huggingface_hub` lays it out, so `bae` and
/// Python tools share downloaded files:
///
/// ```
/// <root>/models--<org>--<name>/
///   blobs/<etag>                     file contents, named by LFS sha256 or git blob sha1
///   snapshots/<commit>/<path>        relative symlinks to ../../blobs/<etag>
///   refs/<revision>                  the commit a branch or tag pointed to, as text
/// ```
///
/// The root is `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else `$XDG_CACHE_HOME/huggingface/hub`,
/// else `~/.cache/huggingface/hub`. This type only reads and names paths; `Hub` downloads.
public struct HubCache: Sendable, Equatable {
  /// The cache's root directory.
  public let root: URL

  /// A cache at `root`.
  public init(root: URL) { self.root = root }

  /// The cache the environment names (see the type's description).
  public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
    func nonEmpty(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
    if let hub = nonEmpty("HF_HUB_CACHE") {
      root = URL(fileURLWithPath: hub)
    } else {
      let home =
        nonEmpty("HF_HOME").map { URL(fileURLWithPath: $0) }
        ?? nonEmpty("XDG_CACHE_HOME").map { URL(fileURLWithPath: $0).appendingPathComponent("huggingface") }
        ?? URL(fileURLWithPath: NSHomeDirectory()).appendingPathComponent(".cache/huggingface")
      root = home.appendingPathComponent("hub")
    }
  }

  /// The branch the Hub serves when no revision is named.
  public static let defaultRevision = "main"

  /// Whether `HF_HUB_OFFLINE` asks tools to stay off the network (`1`, `true`, `yes`, `on`).
  public static func isOffline(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
    ["1", "true", "yes", "on"].contains((environment["HF_HUB_OFFLINE"] ?? "").lowercased())
  }

  /// Whether `text` has the shape of a Hub repository id, `org/name` (letters, digits, `-_.`).
  public static func isRepositoryID(_ text: String) -> Bool {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2 else { return false }
    return parts.allSatisfy { part in
      !part.isEmpty && part.count <= 96 && !part.hasPrefix(".") && !part.hasPrefix("-")
        && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }
  }

  /// Whether `text` is a full 40-hex-digit commit hash.
  public static func isCommitHash(_ text: String) -> Bool {
    text.count == 40 && text.allSatisfy { $0.isHexDigit && !$0.isUppercase }
  }

  /// `<root>/models--org--name`.
  public func repositoryDirectory(_ repository: String) -> URL {
    root.appendingPathComponent("models--" + repository.replacingOccurrences(of: "/", with: "--"))
  }

  /// `<repository>/blobs/<etag>`.
  public func blobURL(_ repository: String, etag: String) -> URL {
    repositoryDirectory(repository).appendingPathComponent("blobs").appendingPathComponent(etag)
  }

  /// `<repository>/snapshots/<commit>`.
  public func snapshotDirectory(_ repository: String, commit: String) -> URL {
    repositoryDirectory(repository).appendingPathComponent("snapshots").appendingPathComponent(commit)
  }

  /// `<repository>/refs/<revision>` (a revision such as `refs/pr/1` nests).
  public func refURL(_ repository: String, revision: String) -> URL {
    repositoryDirectory(repository).appendingPathComponent("refs").appendingPathComponent(revision)
  }

  /// The commit `revision` resolves to in the cache: a commit hash as is, else the content of
  /// its ref file; `nil` when the cache does not know it.
  public func commit(_ repository: String, revision: String) -> String? {
    if Self.isCommitHash(revision) { return revision }
    guard let text = try? String(contentsOf: refURL(repository, revision: revision), encoding: .utf8) else {
      return nil
    }
    let commit = text.trimmingCharacters(in: .whitespacesAndNewlines)
    return commit.isEmpty ? nil : commit
  }

  /// The snapshot directory of `revision`, when the cache holds it.
  public func snapshot(_ repository: String, revision: String) -> URL? {
    guard let commit = commit(repository, revision: revision) else { return nil }
    let directory = snapshotDirectory(repository, commit: commit)
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue
    else { return nil }
    return directory
  }
}
