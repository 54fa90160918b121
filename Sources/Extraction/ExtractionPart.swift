import Corpora
import FeatureSets
import Foundation

/// One part of a sharded extraction: the documents of the corpus that part ``index`` of
/// ``count`` extracts, each document in exactly one part whatever the count.
///
/// A document is assigned by ``FeatureManifest/Part/owner(relativePath:member:ordinal:count:)``
/// from its file's path relative to the corpus root (``CorpusRelativeNames``), its archive
/// member and its ordinal in that member: a stable hash, so the parts run as separate processes
/// (a Slurm array, a Kubernetes indexed Job) agree without talking to each other, and adding a
/// file to a corpus moves no document of the other files. Every part reads the whole corpus
/// (decompression and parsing) but tokenizes and runs only its own documents. `doc_index`
/// stays the document's ordinal in the whole corpus, so rows of different parts never collide.
///
/// A token limit is a limit for the whole extraction: part `i` of `n` keeps at most its share,
/// `⌊limit / n⌋`, plus one for the first `limit mod n` parts (``tokenShare(of:)``).
public struct ExtractionPart: Sendable, Hashable, CustomStringConvertible {
  /// 0-based index of the part.
  public let index: Int
  /// Number of parts.
  public let count: Int

  /// Part `index` of `count`.
  ///
  /// - Throws: ``ExtractionError/invalidPart(index:count:)`` unless `0 ≤ index < count`.
  public init(index: Int, count: Int) throws(ExtractionError) {
    guard count >= 1, index >= 0, index < count else { throw .invalidPart(index: index, count: count) }
    self.index = index
    self.count = count
  }

  /// `I/N`.
  public var description: String { "\(index)/\(count)" }

  /// The part's output directory inside the extraction's output directory, `output/part-IIIII`.
  public func directory(in output: URL) -> URL { output.appendingPathComponent(record.directoryName) }

  /// How the manifest records this part.
  public var record: FeatureManifest.Part {
    FeatureManifest.Part(index: index, count: count, assignment: FeatureManifest.Part.currentAssignment)
  }

  /// This part's share of a token limit for the whole extraction.
  public func tokenShare(of limit: Int) -> Int { limit / count + (index < limit % count ? 1 : 0) }

  /// Whether `document` (the `fileIndex` of its resume position naming an entry of
  /// `relativeNames`) belongs to this part.
  func contains(_ document: Document, relativeNames: [String]) -> Bool {
    guard count > 1 else { return true }
    guard let position = document.resumePosition, relativeNames.indices.contains(position.fileIndex) else {
      preconditionFailure("a corpus document without a position in the corpus files")
    }
    let owner = FeatureManifest.Part.owner(
      relativePath: relativeNames[position.fileIndex], member: document.source.member,
      ordinal: position.documentIndex - 1, count: count)
    return owner == index
  }
}

/// The corpus files' paths relative to their corpus root, the file part of a document's
/// identity in a sharded extraction (so that moving a corpus to another mount point, or
/// reading it from another working directory, moves no document to another part).
///
/// The root of a corpus path is: the directory itself for a directory; the directories before
/// the first component with a wildcard for a glob; the file's parent directory for a file.
/// So `--corpus /data/pile/` names `/data/pile/00.jsonl.zst` as `00.jsonl.zst`, and
/// `--corpus 'data/*/x.txt'` names `data/a/x.txt` as `a/x.txt`.
public enum CorpusRelativeNames {
  /// The relative name of every file `paths` expands to, in ``CorpusPaths/expand(_:)`` order.
  ///
  /// - Throws: `CorpusError` as ``CorpusPaths/expand(_:)``.
  public static func names(for paths: [String]) throws(CorpusError) -> [String] {
    var names: [String] = []
    for path in paths {
      let root = self.root(of: path)
      for file in try CorpusPaths.expand([path]) {
        names.append(relative(file, to: root))
      }
    }
    return names
  }

  /// The root of one corpus path (no trailing slash; empty for the working directory).
  static func root(of path: String) -> String {
    var isDirectory: ObjCBool = false
    let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
    var root: String
    if exists && isDirectory.boolValue {
      root = path
    } else if !exists && path.contains(where: { "*?[".contains($0) }) {
      let components = path.split(separator: "/", omittingEmptySubsequences: false)
      let literal = components.prefix { !$0.contains(where: { "*?[".contains($0) }) }
      root = literal.joined(separator: "/")
      if root.isEmpty && path.hasPrefix("/") { root = "/" }
    } else {
      root = (path as NSString).deletingLastPathComponent
    }
    while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
    return root
  }

  /// `file` without the `root/` it starts with.
  static func relative(_ file: String, to root: String) -> String {
    var name = file
    if root == "/" {
      name = String(file.drop { $0 == "/" })
    } else if !root.isEmpty, file.hasPrefix(root + "/") {
      name = String(file.dropFirst(root.count + 1))
    }
    while name.hasPrefix("./") { name.removeFirst(2) }
    return String(name.drop { $0 == "/" })
  }
}
