import Foundation

/// Where a model's checkpoint is, and in which format: the one resolver from a path a user
/// gives (or does not give) to the files loaders read.
///
/// A path names a model when it is
/// - a `.gguf` file;
/// - a Hugging Face directory: `config.json` with `model.safetensors` or a sharded
///   `model.safetensors.index.json`;
/// - a directory holding exactly one `.gguf` file (and no safetensors weights);
/// - a Hugging Face Hub repository id, `org/name` or `org/name@revision`, that is not a local
///   path: its snapshot in the Hub cache (``HubCache``; `bae download` fills it). The network is
///   never used here, so `HF_HUB_OFFLINE=1` changes only the message when it is missing.
///
/// Without a path, ``resolve(_:environment:searchRoots:)`` uses `$BAE_MODEL`, else the default
/// model's directory `models/smollm2-135m-instruct` under the first search root that has it.
public struct ModelLocation: Sendable, Equatable {
  /// The checkpoint format.
  public enum Kind: Sendable, Equatable {
    /// A Hugging Face directory; ``ModelLocation/url`` is the directory.
    case huggingFaceDirectory
    /// A GGUF file; ``ModelLocation/url`` is the file.
    case ggufFile
  }

  /// The checkpoint format.
  public let kind: Kind
  /// The checkpoint itself: the Hugging Face directory, or the `.gguf` file.
  public let url: URL
  /// The path the location was resolved from, as named (a directory holding a `.gguf` file, say).
  public let requestedURL: URL

  /// The default model's directory name under `models/`.
  public static let defaultModelDirectoryName = "smollm2-135m-instruct"
  /// The environment variable that names a model when no path is given.
  public static let environmentVariable = "BAE_MODEL"

  /// Classifies `path`.
  ///
  /// - Throws: ``CheckpointError/notAModel(path:detail:)`` saying what was expected.
  public init(classifying path: URL) throws(CheckpointError) {
    let fm = FileManager.default
    var isDirectory: ObjCBool = false
    guard fm.fileExists(atPath: path.path, isDirectory: &isDirectory) else {
      throw .notAModel(path: path, detail: "no such file or directory")
    }
    requestedURL = path
    if !isDirectory.boolValue {
      guard path.pathExtension.lowercased() == "gguf" else {
        throw .notAModel(path: path, detail: "expected a .gguf file or a Hugging Face model directory")
      }
      kind = .ggufFile
      url = path
      return
    }
    func exists(_ name: String) -> Bool { fm.fileExists(atPath: path.appendingPathComponent(name).path) }
    let ggufs = ((try? fm.contentsOfDirectory(atPath: path.path)) ?? [])
      .filter { $0.lowercased().hasSuffix(".gguf") }.sorted()
    let hasConfig = exists("config.json")
    let hasSafetensors = exists("model.safetensors") || exists("model.safetensors.index.json")
    // A config.json next to safetensors weights, or with no GGUF to fall back on, is a Hugging
    // Face directory (whose loader then names any missing weights file).
    if hasConfig && (hasSafetensors || ggufs.count != 1) {
      kind = .huggingFaceDirectory
      url = path
      return
    }
    if ggufs.count == 1 {
      kind = .ggufFile
      url = path.appendingPathComponent(ggufs[0])
      return
    }
    throw .notAModel(
      path: path,
      detail: ggufs.isEmpty
        ? "directory has neither config.json nor a .gguf file"
        : "directory holds several .gguf files (\(ggufs.joined(separator: ", "))); name one")
  }

  /// The model a command should run: `path` when given, else `$BAE_MODEL`, else the default
  /// model under the first of `searchRoots` that has `models/smollm2-135m-instruct`.
  ///
  /// - Parameters:
  ///   - path: the path the user named, or `nil` (an empty string counts as `nil`).
  ///   - environment: where `BAE_MODEL` is looked up.
  ///   - searchRoots: directories that may hold a `models/` folder, in order of preference
  ///     (a command passes the current directory and the checkout its executable was built in).
  /// - Throws: ``CheckpointError/notAModel(path:detail:)`` for a path that is not a model;
  ///   ``CheckpointError/defaultModelMissing(searched:)`` when nothing was named and the
  ///   default model is not installed.
  public static func resolve(
    _ path: String?, environment: [String: String] = ProcessInfo.processInfo.environment, searchRoots: [URL]
  ) throws(CheckpointError) -> ModelLocation {
    if let path, !path.isEmpty {
      if !FileManager.default.fileExists(atPath: path), let (repository, revision) = hubReference(path) {
        let cache = HubCache(environment: environment)
        guard let snapshot = cache.snapshot(repository, revision: revision) else {
          throw .notInHubCache(
            repository: repository, revision: revision, cache: cache.root,
            offline: HubCache.isOffline(environment: environment))
        }
        return try ModelLocation(classifying: snapshot)
      }
      return try ModelLocation(classifying: URL(fileURLWithPath: path))
    }
    if let named = environment[environmentVariable], !named.isEmpty {
      return try ModelLocation(classifying: URL(fileURLWithPath: named))
    }
    let candidates = searchRoots.map {
      $0.appendingPathComponent("models").appendingPathComponent(defaultModelDirectoryName)
    }
    for candidate in candidates where FileManager.default.fileExists(atPath: candidate.path) {
      return try ModelLocation(classifying: candidate)
    }
    throw .defaultModelMissing(searched: candidates)
  }

  /// `(org/name, revision)` when `text` is `org/name` or `org/name@revision`.
  static func hubReference(_ text: String) -> (repository: String, revision: String)? {
    let parts = text.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
    let repository = String(parts[0])
    let revision = parts.count > 1 ? String(parts[1]) : HubCache.defaultRevision
    guard HubCache.isRepositoryID(repository), !revision.isEmpty else { return nil }
    return (repository, revision)
  }
}
