import Digests
import Foundation
import HTTPTestServer

/// A loopback server answering like the Hugging Face Hub for one repository, `org/tiny`: the
/// revision and (paginated) tree APIs, and `resolve` URLs that redirect LFS files to a "CDN" path.
final class HubMimic: @unchecked Sendable {
  static let repository = "org/tiny"
  static let commit = "0123456789abcdef0123456789abcdef01234567"
  static let token = "hf_test_token_123"

  /// path → contents; `model.safetensors` is an LFS file.
  let files: [String: Data] = [
    "config.json": Data(#"{"model_type":"llama","hidden_size":16}"#.utf8),
    "model.safetensors": Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) }),
    "sub/notes.txt": Data("notes\n".utf8),
  ]
  static let lfs: Set<String> = ["model.safetensors"]

  private let lock = NSLock()
  private var _requireToken = false
  private var _dropFirstCDNAfter: Int?
  private var _servedOverride: Data?

  /// Whether requests without `Authorization: Bearer <token>` get 401.
  var requireToken: Bool {
    get { locked { _requireToken } }
    set { locked { _requireToken = newValue } }
  }
  /// The first CDN answer closes the connection after this many bytes.
  var dropFirstCDNAfter: Int? {
    get { locked { _dropFirstCDNAfter } }
    set { locked { _dropFirstCDNAfter = newValue } }
  }
  /// Bytes the CDN serves instead of the real LFS file (a corrupted upload).
  var servedOverride: Data? {
    get { locked { _servedOverride } }
    set { locked { _servedOverride = newValue } }
  }

  private func locked<T>(_ body: () -> T) -> T {
    lock.lock()
    defer { lock.unlock() }
    return body()
  }

  static func sha256(_ data: Data) -> String { SHA256.hash(data: data).hex }
  static func gitBlobID(_ data: Data) -> String {
    SHA1.hash(data: Data("blob \(data.count)\0".utf8) + data).hex
  }

  /// The blob name the cache uses for `path`.
  func etag(_ path: String) -> String {
    Self.lfs.contains(path) ? Self.sha256(files[path]!) : Self.gitBlobID(files[path]!)
  }

  func respond(_ request: RecordedRequest) -> TestResponse {
    if requireToken && request.header("Authorization") != "Bearer \(Self.token)" {
      return .json(#"{"error":"Invalid credentials in Authorization header"}"#, status: 401)
    }
    let repo = Self.repository
    switch request.path {
    case "/api/models/\(repo)/revision/main", "/api/models/\(repo)/revision/\(Self.commit)":
      let siblings = files.keys.sorted().map { #"{"rfilename":"\#($0)"}"# }.joined(separator: ",")
      return .json(#"{"id":"\#(repo)","sha":"\#(Self.commit)","siblings":[\#(siblings)]}"#)
    case "/api/models/\(repo)/tree/\(Self.commit)":
      guard request.query["recursive"] != nil else { return .json("[]") }
      // Two pages, as the Hub paginates large trees with a Link header.
      let paths = files.keys.sorted()
      let page = request.query["cursor"] == "2" ? Array(paths.dropFirst(2)) : Array(paths.prefix(2))
      var entries = page.map { path -> String in
        let data = files[path]!
        if Self.lfs.contains(path) {
          return
            #"{"type":"file","oid":"\#(Self.gitBlobID(Data("pointer".utf8)))","size":\#(data.count),"path":"\#(path)","lfs":{"oid":"\#(Self.sha256(data))","size":\#(data.count),"pointerSize":134}}"#
        }
        return #"{"type":"file","oid":"\#(Self.gitBlobID(data))","size":\#(data.count),"path":"\#(path)"}"#
      }
      if request.query["cursor"] == "2" {
        entries.insert(#"{"type":"directory","oid":"x","size":0,"path":"sub"}"#, at: 0)
      }
      let headers =
        request.query["cursor"] == nil
        ? [
          "Link":
            "<http://127.0.0.1:\(request.header("Host")?.split(separator: ":").last ?? "0")/api/models/\(repo)/tree/\(Self.commit)?recursive=1&cursor=2>; rel=\"next\""
        ]
        : [:]
      return .json("[\(entries.joined(separator: ","))]", headers: headers)
    default:
      break
    }
    let resolvePrefix = "/\(repo)/resolve/\(Self.commit)/"
    if request.path.hasPrefix(resolvePrefix) {
      let path = String(request.path.dropFirst(resolvePrefix.count))
      guard let data = files[path] else { return .json(#"{"error":"Entry not found"}"#, status: 404) }
      if Self.lfs.contains(path) { return .redirect(to: "/cdn/\(Self.sha256(data))?signature=abc") }
      return .file(data, for: request)
    }
    if request.path.hasPrefix("/cdn/") {
      let data = servedOverride ?? files["model.safetensors"]!
      let drop: Int? = locked {
        defer { _dropFirstCDNAfter = nil }
        return _dropFirstCDNAfter
      }
      return .file(data, for: request, dropAfter: drop)
    }
    return .json(#"{"error":"Repository not found"}"#, status: 404)
  }
}
