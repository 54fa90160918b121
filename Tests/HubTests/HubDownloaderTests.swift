import Checkpoints
import Foundation
import HTTPTestServer
import Hub
import TestSupport
import Testing
import Transport

/// `HubDownloader` against a loopback Hub mimic: the cache layout Python shares, redirects,
/// resumed downloads, refusals and checksum failures.
@Suite struct HubDownloaderTests {
  let mimic = HubMimic()

  func downloader(_ server: HTTPTestServer, cache: URL, token: String? = nil) -> HubDownloader {
    HubDownloader(
      settings: HubSettings(endpoint: server.baseURL, token: token, cache: HubCache(root: cache)),
      client: HTTPClient(configuration: .init(timeouts: HTTPTimeouts(connect: 2, total: 20))), maximumRetries: 3,
      initialBackoff: 0.01)
  }

  func start() async throws -> HTTPTestServer {
    let mimic = self.mimic
    return try await HTTPTestServer.start { mimic.respond($0) }
  }

  @Test func downloadsIntoTheSharedCacheLayout() async throws {
    let scratch = try ScratchDirectory("hub")
    let server = try await start()
    defer { server.stop() }
    let cache = HubCache(root: scratch.url("cache"))
    let snapshot = try downloader(server, cache: cache.root).download(
      repository: HubMimic.repository, to: scratch.url("out"))

    #expect(snapshot.commit == HubMimic.commit)
    #expect(snapshot.files.map(\.path) == ["config.json", "model.safetensors", "sub/notes.txt"])
    #expect(snapshot.reusedFiles == 0)
    #expect(snapshot.downloadedBytes == Int64(mimic.files.values.map(\.count).reduce(0, +)))
    let repoDirectory = cache.repositoryDirectory(HubMimic.repository)
    #expect(repoDirectory.lastPathComponent == "models--org--tiny")
    #expect(
      try String(contentsOf: cache.refURL(HubMimic.repository, revision: "main"), encoding: .utf8) == HubMimic.commit)
    for (path, data) in mimic.files {
      let blob = cache.blobURL(HubMimic.repository, etag: mimic.etag(path))
      #expect(try Data(contentsOf: blob) == data, "blob of \(path)")
      let link = snapshot.directory.appendingPathComponent(path)
      let destination = try FileManager.default.destinationOfSymbolicLink(atPath: link.path)
      #expect(
        destination == String(repeating: "../", count: path.split(separator: "/").count + 1)
          + "blobs/\(mimic.etag(path))")
      #expect(try Data(contentsOf: link) == data, "snapshot link of \(path)")
      #expect(try Data(contentsOf: scratch.url("out/\(path)")) == data, "placed copy of \(path)")
    }
    // The LFS file came through the redirect; its blob is named by its sha256.
    #expect(server.requests.contains { $0.path.hasPrefix("/cdn/") })
    #expect(mimic.etag("model.safetensors").count == 64)

    // A second run reuses every blob and fetches nothing but the listing.
    let before = server.requests.count
    let again = try downloader(server, cache: cache.root).download(repository: HubMimic.repository)
    #expect(again.reusedFiles == 3)
    #expect(again.downloadedBytes == 0)
    #expect(server.requests.dropFirst(before).allSatisfy { $0.path.hasPrefix("/api/") })

    // `--model org/tiny` now resolves through the cache, offline.
    let location = try ModelLocation.resolve(
      HubMimic.repository, environment: ["HF_HUB_CACHE": cache.root.path, "HF_HUB_OFFLINE": "1"], searchRoots: [])
    #expect(location.kind == .huggingFaceDirectory)
    #expect(location.url == snapshot.directory)
  }

  @Test func includeGlobsSelectFiles() async throws {
    let scratch = try ScratchDirectory("hub")
    let server = try await start()
    defer { server.stop() }
    let snapshot = try downloader(server, cache: scratch.url).download(
      repository: HubMimic.repository, include: ["*.json", "sub/*"])
    #expect(snapshot.files.map(\.path) == ["config.json", "sub/notes.txt"])
    #expect(!server.requests.contains { $0.path.contains("model.safetensors") || $0.path.hasPrefix("/cdn/") })
    #expect(throws: HubError.nothingMatched(repository: HubMimic.repository, patterns: ["*.bin"])) {
      try downloader(server, cache: scratch.url).download(repository: HubMimic.repository, include: ["*.bin"])
    }
  }

  @Test func aConnectionDroppedMidFileIsResumedByteForByte() async throws {
    let scratch = try ScratchDirectory("hub")
    mimic.dropFirstCDNAfter = 100_000
    let server = try await start()
    defer { server.stop() }
    let snapshot = try downloader(server, cache: scratch.url).download(
      repository: HubMimic.repository, include: ["model.safetensors"])
    let data = try Data(contentsOf: snapshot.directory.appendingPathComponent("model.safetensors"))
    #expect(data == mimic.files["model.safetensors"])
    let cdn = server.requests.filter { $0.path.hasPrefix("/cdn/") }
    #expect(cdn.count == 2)
    #expect(cdn.first?.header("Range") == nil)
    // Resumed from what the first attempt left (at least the 100 000 bytes sent before the cut).
    let resumedFrom = cdn.last?.header("Range").flatMap { Int($0.dropFirst(6).dropLast()) }
    #expect(resumedFrom == 100_000)
  }

  @Test func anInterruptedRunIsResumedFromItsPartialFile() async throws {
    let scratch = try ScratchDirectory("hub")
    let server = try await start()
    defer { server.stop() }
    let cache = HubCache(root: scratch.url)
    let content = mimic.files["model.safetensors"]!
    let blob = cache.blobURL(HubMimic.repository, etag: mimic.etag("model.safetensors"))
    try FileManager.default.createDirectory(at: blob.deletingLastPathComponent(), withIntermediateDirectories: true)
    try content.prefix(123_456).write(to: URL(fileURLWithPath: blob.path + ".incomplete"))
    let snapshot = try downloader(server, cache: scratch.url).download(
      repository: HubMimic.repository, include: ["model.safetensors"])
    #expect(snapshot.downloadedBytes == Int64(content.count - 123_456))
    #expect(try Data(contentsOf: blob) == content)
    #expect(!FileManager.default.fileExists(atPath: blob.path + ".incomplete"))
    #expect(server.requests.last { $0.path.hasPrefix("/cdn/") }?.header("Range") == "bytes=123456-")
  }

  @Test func aPrivateRepositoryNeedsAToken() async throws {
    let scratch = try ScratchDirectory("hub")
    mimic.requireToken = true
    let server = try await start()
    defer { server.stop() }
    do {
      _ = try downloader(server, cache: scratch.url).download(repository: HubMimic.repository)
      Issue.record("expected 401")
    } catch {
      #expect(error == .unauthorized(repository: HubMimic.repository, status: 401, hasToken: false))
      #expect(error.description.contains("set HF_TOKEN"))
    }
    #expect(server.requests.count == 1)
    let snapshot = try downloader(server, cache: scratch.url, token: HubMimic.token).download(
      repository: HubMimic.repository, include: ["*.json"])
    #expect(snapshot.files.count == 1)
    // The token went to the Hub but not to the CDN of another origin (here: same origin).
    #expect(server.requests.last?.header("Authorization") == "Bearer \(HubMimic.token)")
  }

  @Test func anUnknownRepositoryIsNotFound() async throws {
    let scratch = try ScratchDirectory("hub")
    let server = try await start()
    defer { server.stop() }
    #expect(throws: HubError.notFound(repository: "org/missing", revision: "main", path: nil)) {
      try downloader(server, cache: scratch.url).download(repository: "org/missing")
    }
    #expect(throws: HubError.invalidRepository("not a repo")) {
      try downloader(server, cache: scratch.url).download(repository: "not a repo")
    }
  }

  @Test func aWrongChecksumLeavesNoFileThatLooksComplete() async throws {
    let scratch = try ScratchDirectory("hub")
    var corrupted = mimic.files["model.safetensors"]!
    corrupted[1000] ^= 0xFF
    mimic.servedOverride = corrupted
    let server = try await start()
    defer { server.stop() }
    let cache = HubCache(root: scratch.url)
    do {
      _ = try downloader(server, cache: scratch.url).download(repository: HubMimic.repository)
      Issue.record("expected a checksum failure")
    } catch {
      guard case .verificationFailed(let path, let expected, let actual) = error else {
        Issue.record("got \(error)")
        return
      }
      #expect(path == "model.safetensors")
      #expect(expected == "sha256 \(mimic.etag("model.safetensors"))")
      #expect(actual == "sha256 \(HubMimic.sha256(corrupted))")
    }
    let blob = cache.blobURL(HubMimic.repository, etag: mimic.etag("model.safetensors"))
    #expect(!FileManager.default.fileExists(atPath: blob.path))
    #expect(!FileManager.default.fileExists(atPath: blob.path + ".incomplete"))
    let link = cache.snapshotDirectory(HubMimic.repository, commit: HubMimic.commit)
      .appendingPathComponent("model.safetensors")
    #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: link.path)) == nil)
  }

  @Test func offlineRefusesToDownloadAndModelLocationSaysHowToFetch() throws {
    let scratch = try ScratchDirectory("hub")
    let settings = HubSettings(
      endpoint: URL(string: "http://127.0.0.1:9")!, token: nil, cache: HubCache(root: scratch.url), offline: true)
    #expect(throws: HubError.offline(repository: "org/tiny")) {
      try HubDownloader(settings: settings).download(repository: "org/tiny")
    }
    let environment = ["HF_HUB_CACHE": scratch.url.path, "HF_HUB_OFFLINE": "1"]
    do {
      _ = try ModelLocation.resolve("org/absent@v2", environment: environment, searchRoots: [])
      Issue.record("expected notInHubCache")
    } catch {
      guard case .notInHubCache(let repository, let revision, let cache, let offline) = error else {
        Issue.record("got \(error)")
        return
      }
      #expect(repository == "org/absent" && revision == "v2" && offline)
      #expect(cache.standardizedFileURL.path == scratch.url.standardizedFileURL.path)
      #expect(error.description.contains("`bae download org/absent --revision v2`"))
    }
  }

  @Test func settingsComeFromTheEnvironment() throws {
    let scratch = try ScratchDirectory("hub")
    try scratch.write("home/token", "hf_from_file\n")
    let fromFile = HubSettings(environment: ["HF_HOME": scratch.path("home"), "HF_ENDPOINT": "http://mirror.invalid/"])
    #expect(fromFile.hasToken)
    #expect(fromFile.endpoint.absoluteString == "http://mirror.invalid")
    #expect(fromFile.cache.root.path == scratch.path("home/hub"))
    #expect(!fromFile.offline)
    let none = HubSettings(environment: ["HF_HOME": scratch.path("empty")])
    #expect(!none.hasToken)
    #expect(none.endpoint == HubSettings.defaultEndpoint)
    #expect(HubCache(environment: ["HF_HUB_CACHE": "/x/hub", "HF_HOME": "/y"]).root.path == "/x/hub")
  }
}
