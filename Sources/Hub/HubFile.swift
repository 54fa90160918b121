import Foundation

/// One file of a Hub repository at a commit, with what the Hub says about it.
public struct HubFile: Sendable, Equatable {
  /// The path inside the repository (`config.json`, `onnx/model.onnx`).
  public var path: String
  /// Size in bytes.
  public var size: Int64
  /// The git blob id (sha1 of `blob <size>\0<contents>`); for LFS files, the pointer's.
  public var gitOID: String
  /// The contents' sha256 for LFS files (the LFS oid), else `nil`.
  public var sha256: String?

  public init(path: String, size: Int64, gitOID: String, sha256: String?) {
    self.path = path
    self.size = size
    self.gitOID = gitOID
    self.sha256 = sha256
  }

  /// The blob's name in the cache, as the Hub's `ETag` gives it: the sha256 for LFS files,
  /// else the git blob id.
  public var etag: String { sha256 ?? gitOID }
}

/// `GET /api/models/{repo}/revision/{revision}`: the commit and the file names.
struct RevisionInfo: Decodable {
  struct Sibling: Decodable { var rfilename: String }
  var sha: String
  var siblings: [Sibling]
}

/// One entry of `GET /api/models/{repo}/tree/{revision}?recursive=1`.
struct TreeEntry: Decodable {
  struct LFS: Decodable {
    var oid: String
    var size: Int64
  }
  var type: String
  var path: String
  var oid: String?
  var size: Int64?
  var lfs: LFS?
}
