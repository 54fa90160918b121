import Checkpoints
import Digests
import Foundation
import Transport

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// How far a download is, for a progress bar.
public struct HubProgress: Sendable, Equatable {
  /// The file being fetched.
  public var path: String
  /// Bytes of that file on disk so far (a resumed file starts above zero).
  public var fileBytes: Int64
  /// That file's size.
  public var fileSize: Int64
  /// Bytes of all selected files on disk so far (reused ones included).
  public var completedBytes: Int64
  /// Bytes of all selected files.
  public var totalBytes: Int64
}

/// What a download left on disk.
public struct HubSnapshot: Sendable, Equatable {
  /// `org/name`.
  public var repository: String
  /// The revision asked for.
  public var revision: String
  /// The commit it resolved to.
  public var commit: String
  /// `<cache>/models--org--name/snapshots/<commit>`.
  public var directory: URL
  /// The files selected, in path order.
  public var files: [HubFile]
  /// Bytes fetched over the network by this run.
  public var downloadedBytes: Int64
  /// Files already complete in the cache, not fetched again.
  public var reusedFiles: Int
}

/// Downloads a Hub repository's files into the Hub cache (``HubCache``), resumably and verified.
///
/// 1. Lists the revision (`/api/models/{repo}/revision/{rev}`: its commit and file names) and
///    the tree at that commit (`/api/models/{repo}/tree/{commit}?recursive=1`, following `Link:
///    rel="next"` pages: sizes, git blob ids, LFS sha256 oids).
/// 2. For each selected file not yet in `blobs/`, fetches `{endpoint}/{repo}/resolve/{commit}/{path}`
///    (which may redirect to a CDN) into `blobs/<etag>.incomplete`, resuming with `Range` from
///    what is already there, retrying lost connections, timeouts, 429 and 5xx with backoff.
/// 3. Checks the size and the checksum (LFS: sha256; others: the git blob sha1); only a file
///    that matches is renamed to `blobs/<etag>`. A mismatch deletes the partial file.
/// 4. Links `snapshots/<commit>/<path>` to the blob and writes `refs/<revision>`.
///
/// Every call blocks the calling thread (run it from a thread of your own, not from Swift
/// concurrency's pool). Several processes downloading the same blob at once are not guarded
/// against (Python's tool takes a lock file).
public final class HubDownloader: Sendable {
  /// Endpoint, token, cache.
  public let settings: HubSettings
  private let client: HTTPClient
  private let maximumRetries: Int
  private let initialBackoff: Double

  /// A downloader.
  ///
  /// - Parameters:
  ///   - settings: endpoint, token and cache (``HubSettings/init(environment:)`` by default).
  ///   - client: the HTTP client (by default: 20 s to connect, fail when stalled for 60 s).
  ///   - maximumRetries: further attempts per request after a transient failure.
  ///   - initialBackoff: seconds before the first retry; doubled each time, at most 30 s.
  public init(
    settings: HubSettings = HubSettings(),
    client: HTTPClient = HTTPClient(
      configuration: .init(timeouts: HTTPTimeouts(connect: 20, total: nil, lowSpeedSeconds: 60))),
    maximumRetries: Int = 5, initialBackoff: Double = 1
  ) {
    self.settings = settings
    self.client = client
    self.maximumRetries = maximumRetries
    self.initialBackoff = initialBackoff
  }

  /// The commit `revision` points to and the repository's files there.
  ///
  /// - Throws: ``HubError``.
  public func listFiles(repository: String, revision: String) throws(HubError) -> (commit: String, files: [HubFile]) {
    guard HubCache.isRepositoryID(repository) else { throw .invalidRepository(repository) }
    if settings.offline { throw .offline(repository: repository) }
    let infoURL = apiURL(repository, "revision", revision)
    let info: RevisionInfo = try fetchJSON(infoURL, repository: repository, revision: revision)
    guard HubCache.isCommitHash(info.sha) else {
      throw .malformedListing(url: infoURL.absoluteString, reason: "'sha' is not a commit hash")
    }
    var entries: [String: TreeEntry] = [:]
    var next: URL? = URL(string: apiURL(repository, "tree", info.sha).absoluteString + "?recursive=1")
    var pages = 0
    while let url = next, pages < 10_000 {
      let response = try fetch(url, repository: repository, revision: revision, path: nil)
      let page: [TreeEntry]
      do {
        page = try JSONDecoder().decode([TreeEntry].self, from: response.body)
      } catch {
        throw .malformedListing(url: url.absoluteString, reason: String(describing: error))
      }
      for entry in page where entry.type == "file" { entries[entry.path] = entry }
      next = Self.nextPage(response.headers["Link"])
      pages += 1
    }
    var files: [HubFile] = []
    for sibling in info.siblings.map(\.rfilename).sorted() {
      guard let entry = entries[sibling], let size = entry.lfs?.size ?? entry.size, let oid = entry.oid else {
        throw .malformedListing(url: infoURL.absoluteString, reason: "the tree lists no size or oid for \(sibling)")
      }
      files.append(HubFile(path: sibling, size: size, gitOID: oid, sha256: entry.lfs?.oid))
    }
    return (info.sha, files)
  }

  /// Downloads the files of `repository` at `revision` that match `include` into the cache,
  /// and places them in `destination` too when one is given.
  ///
  /// - Parameters:
  ///   - include: `fnmatch` globs over repository paths (`*.json`, `*.safetensors`); empty
  ///     takes every file.
  ///   - destination: a directory that receives the files at their repository paths (hard
  ///     links to the cache's blobs where possible, else copies).
  ///   - progress: called often while bytes arrive.
  /// - Returns: the snapshot, whose directory loaders can read directly.
  /// - Throws: ``HubError``; files already complete stay in the cache, a partial one stays as
  ///   `*.incomplete` for the next run to resume.
  public func download(
    repository: String, revision: String = HubCache.defaultRevision, include: [String] = [],
    to destination: URL? = nil, progress: ((HubProgress) -> Void)? = nil
  ) throws(HubError) -> HubSnapshot {
    let (commit, all) = try listFiles(repository: repository, revision: revision)
    let files = include.isEmpty ? all : all.filter { file in include.contains { Self.matches($0, file.path) } }
    if files.isEmpty && !include.isEmpty { throw .nothingMatched(repository: repository, patterns: include) }
    let cache = settings.cache
    let total = files.reduce(Int64(0)) { $0 + $1.size }
    var completed: Int64 = 0
    var downloaded: Int64 = 0
    var reused = 0
    for file in files {
      let blob = cache.blobURL(repository, etag: file.etag)
      if Self.size(of: blob) == file.size {
        reused += 1
      } else {
        let base = completed
        downloaded += try fetchBlob(file, repository: repository, commit: commit, to: blob) { bytes in
          progress?(
            HubProgress(
              path: file.path, fileBytes: bytes, fileSize: file.size, completedBytes: base + bytes, totalBytes: total))
        }
      }
      completed += file.size
      progress?(
        HubProgress(
          path: file.path, fileBytes: file.size, fileSize: file.size, completedBytes: completed, totalBytes: total))
      try link(file, repository: repository, commit: commit, blob: blob)
    }
    if revision != commit {
      let ref = cache.refURL(repository, revision: revision)
      do {
        try FileManager.default.createDirectory(at: ref.deletingLastPathComponent(), withIntermediateDirectories: true)
        try AtomicFile.write(Data(commit.utf8), to: ref)
      } catch {
        throw .file(path: ref.path, reason: String(describing: error))
      }
    }
    let snapshot = cache.snapshotDirectory(repository, commit: commit)
    if let destination { try place(files, from: snapshot, repository: repository, into: destination) }
    return HubSnapshot(
      repository: repository, revision: revision, commit: commit, directory: snapshot, files: files,
      downloadedBytes: downloaded, reusedFiles: reused)
  }

  // MARK: - One file

  /// Fetches `file` into `blob` (through `blob.incomplete`); returns the bytes fetched.
  private func fetchBlob(
    _ file: HubFile, repository: String, commit: String, to blob: URL, progress: @escaping (Int64) -> Void
  ) throws(HubError) -> Int64 {
    let partial = URL(fileURLWithPath: blob.path + ".incomplete")
    do {
      try FileManager.default.createDirectory(at: blob.deletingLastPathComponent(), withIntermediateDirectories: true)
    } catch {
      throw .file(path: blob.deletingLastPathComponent().path, reason: String(describing: error))
    }
    if !FileManager.default.fileExists(atPath: partial.path) {
      guard FileManager.default.createFile(atPath: partial.path, contents: nil) else {
        throw .file(path: partial.path, reason: "cannot create")
      }
    }
    let url = resolveURL(repository, commit: commit, path: file.path)
    var fetched: Int64 = 0
    var retry = 0
    while true {
      var have = Self.size(of: partial) ?? 0
      if have > file.size {
        truncate(partial.path, 0)
        have = 0
      }
      if have == file.size { break }
      let handle: FileHandle
      do {
        handle = try FileHandle(forWritingTo: partial)
      } catch {
        throw .file(path: partial.path, reason: String(describing: error))
      }
      let request = HTTPRequest(url: url, headers: authorization, rangeStart: have > 0 ? have : nil)
      let outcome = Result { () throws(TransportError) in
        try client.perform(request, toFile: handle, progress: progress)
      }
      try? handle.close()
      let failure: HubError
      switch outcome {
      case .success(let response):
        fetched += response.bytesWrittenToFile
        switch response.status {
        case 200, 206:
          // A short body (the server closed early without an error) is resumed like a lost connection.
          if Self.size(of: partial) == file.size { continue }
          failure = .transport("\(HTTPRequest.displayURL(url)): the body ended early")
        case 416:
          truncate(partial.path, 0)
          failure = .http(url: url.absoluteString, status: 416, message: "range not satisfiable; starting over")
        default:
          failure = error(for: response, url: url, repository: repository, revision: commit, path: file.path)
          guard Self.isRetryable(response.status) else { throw failure }
        }
      case .failure(let error):
        failure = .transport(error.description)
        guard error.isTransient else { throw failure }
      }
      guard retry < maximumRetries else { throw failure }
      backoff(retry)
      retry += 1
    }
    try verify(file, at: partial)
    guard rename(partial.path, blob.path) == 0 else {
      throw .file(path: blob.path, reason: "rename: \(String(cString: strerror(errno)))")
    }
    return fetched
  }

  /// Checks size and checksum; deletes the file when they do not match.
  private func verify(_ file: HubFile, at url: URL) throws(HubError) {
    let size = Self.size(of: url) ?? -1
    var expected = "\(file.size) bytes"
    var actual = "\(size) bytes"
    if size == file.size {
      do {
        if let sha256 = file.sha256 {
          expected = "sha256 \(sha256)"
          actual = "sha256 \(try Self.sha256(of: url))"
        } else {
          expected = "git blob \(file.gitOID)"
          actual = "git blob \(try Self.gitBlobID(of: url, size: size))"
        }
      } catch {
        throw .file(path: url.path, reason: "cannot read back: \(error)")
      }
      if expected == actual { return }
    }
    unlink(url.path)
    throw .verificationFailed(path: file.path, expected: expected, actual: actual)
  }

  /// `snapshots/<commit>/<path>` → `../../blobs/<etag>` (one more `..` per folder in `path`).
  private func link(_ file: HubFile, repository: String, commit: String, blob: URL) throws(HubError) {
    let target = settings.cache.snapshotDirectory(repository, commit: commit).appendingPathComponent(file.path)
    let depth = file.path.split(separator: "/").count + 1
    let relative = String(repeating: "../", count: depth) + "blobs/\(file.etag)"
    do {
      try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
    } catch {
      throw .file(path: target.deletingLastPathComponent().path, reason: String(describing: error))
    }
    unlink(target.path)
    guard symlink(relative, target.path) == 0 else {
      throw .file(path: target.path, reason: "symlink: \(String(cString: strerror(errno)))")
    }
  }

  /// Hard-links (else copies) each file from the snapshot into `destination`.
  private func place(_ files: [HubFile], from snapshot: URL, repository: String, into destination: URL) throws(HubError)
  {
    for file in files {
      let blob = settings.cache.blobURL(repository, etag: file.etag)
      let target = destination.appendingPathComponent(file.path)
      do {
        try FileManager.default.createDirectory(
          at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        unlink(target.path)
        if posixLink(blob.path, target.path) != 0 {
          try FileManager.default.copyItem(at: blob, to: target)
        }
      } catch {
        throw .file(path: target.path, reason: String(describing: error))
      }
    }
  }

  // MARK: - Requests

  private var authorization: HTTPHeaders {
    var headers: HTTPHeaders = [:]
    if let token = settings.token { headers.add("Authorization", "Bearer \(token)") }
    return headers
  }

  /// `{endpoint}/api/models/{repo}/{kind}/{revision}` (the revision percent-encoded, `/` too).
  private func apiURL(_ repository: String, _ kind: String, _ revision: String) -> URL {
    settings.endpoint.appendingPathComponent("api/models/\(repository)/\(kind)")
      .appendingPathComponent(Self.encodeRevision(revision))
  }

  /// `{endpoint}/{repo}/resolve/{revision}/{path}`.
  public func resolveURL(_ repository: String, commit: String, path: String) -> URL {
    let encoded = path.split(separator: "/").map {
      String($0).addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? String($0)
    }.joined(separator: "/")
    return URL(
      string: "\(settings.endpoint.absoluteString)/\(repository)/resolve/\(Self.encodeRevision(commit))/\(encoded)")!
  }

  private static func encodeRevision(_ revision: String) -> String {
    revision.addingPercentEncoding(withAllowedCharacters: CharacterSet.alphanumerics.union(["-", ".", "_", "~"]))
      ?? revision
  }

  private func fetchJSON<T: Decodable>(_ url: URL, repository: String, revision: String) throws(HubError) -> T {
    let response = try fetch(url, repository: repository, revision: revision, path: nil)
    do {
      return try JSONDecoder().decode(T.self, from: response.body)
    } catch {
      throw .malformedListing(url: url.absoluteString, reason: String(describing: error))
    }
  }

  /// GET `url` into memory, retrying transient failures; a non-2xx answer is a ``HubError``.
  private func fetch(_ url: URL, repository: String, revision: String, path: String?) throws(HubError) -> HTTPResponse {
    var retry = 0
    while true {
      let failure: HubError
      switch Result(catching: { () throws(TransportError) in
        try client.perform(HTTPRequest(url: url, headers: authorization))
      }) {
      case .success(let response):
        if response.isSuccess { return response }
        failure = error(for: response, url: url, repository: repository, revision: revision, path: path)
        guard Self.isRetryable(response.status) else { throw failure }
      case .failure(let error):
        failure = .transport(error.description)
        guard error.isTransient else { throw failure }
      }
      guard retry < maximumRetries else { throw failure }
      backoff(retry)
      retry += 1
    }
  }

  private func error(for response: HTTPResponse, url: URL, repository: String, revision: String, path: String?)
    -> HubError
  {
    switch response.status {
    case 401, 403: .unauthorized(repository: repository, status: response.status, hasToken: settings.hasToken)
    case 404: .notFound(repository: repository, revision: revision, path: path)
    default: .http(url: url.absoluteString, status: response.status, message: response.bodyExcerpt(limit: 200))
    }
  }

  private static func isRetryable(_ status: Int) -> Bool {
    status == 429 || status == 408 || (500..<600).contains(status)
  }

  private func backoff(_ retry: Int) {
    Thread.sleep(forTimeInterval: min(30, initialBackoff * pow(2, Double(retry))))
  }

  /// The `rel="next"` URL of a `Link` header.
  static func nextPage(_ link: String?) -> URL? {
    guard let link else { return nil }
    for part in link.split(separator: ",") where part.contains("rel=\"next\"") {
      guard let open = part.firstIndex(of: "<"), let close = part.firstIndex(of: ">"), open < close else { continue }
      return URL(string: String(part[part.index(after: open)..<close]))
    }
    return nil
  }

  // MARK: - Files

  /// `fnmatch(3)` without flags, as Python's `fnmatch` (a `*` also matches `/`).
  static func matches(_ pattern: String, _ path: String) -> Bool { fnmatch(pattern, path, 0) == 0 }

  static func size(of url: URL) -> Int64? {
    var info = stat()
    guard stat(url.path, &info) == 0 else { return nil }
    return Int64(info.st_size)
  }

  static func sha256(of url: URL) throws -> String {
    var hasher = SHA256()
    try forEachChunk(of: url) { hasher.update(data: $0) }
    return hasher.finalize().hex
  }

  /// git's blob id: sha1 of `blob <size>\0` and the contents.
  static func gitBlobID(of url: URL, size: Int64) throws -> String {
    var hasher = SHA1()
    hasher.update(data: Data("blob \(size)\0".utf8))
    try forEachChunk(of: url) { hasher.update(data: $0) }
    return hasher.finalize().hex
  }

  private static func forEachChunk(of url: URL, _ body: (Data) -> Void) throws {
    let handle = try FileHandle(forReadingFrom: url)
    defer { try? handle.close() }
    while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { body(chunk) }
  }
}

/// link(2), named apart from ``HubDownloader``'s own `link`.
private func posixLink(_ existing: String, _ new: String) -> Int32 {
  #if canImport(Glibc)
    Glibc.link(existing, new)
  #else
    Darwin.link(existing, new)
  #endif
}
