import Foundation
import HTTPTestServer
import TestSupport
import Testing

/// `bae download` end to end against a one-file Hub on loopback, and `--model org/name` resolving
/// through the cache it fills.
@Suite struct DownloadCommandTests {
  static let commit = "89abcdef0123456789abcdef0123456789abcdef"
  static let config = Data(#"{"model_type":"llama"}"#.utf8)

  static func hub(_ request: RecordedRequest) -> TestResponse {
    switch request.path {
    case "/api/models/org/one/revision/main":
      return .json(#"{"sha":"\#(commit)","siblings":[{"rfilename":"config.json"}]}"#)
    case "/api/models/org/one/tree/\(commit)":
      // git blob id of the config: sha1("blob 22\0" + contents).
      return .json(
        #"[{"type":"file","oid":"0972e95c1405cc1507c19dcbe784f7a36c930907","size":22,"path":"config.json"}]"#)
    case "/org/one/resolve/\(commit)/config.json":
      return .file(config, for: request)
    default:
      return .json(#"{"error":"Repository not found"}"#, status: 404)
    }
  }

  @Test func downloadsPlacesAndReportsJSON() async throws {
    let scratch = try ScratchDirectory("download")
    let server = try await HTTPTestServer.start { Self.hub($0) }
    defer { server.stop() }
    let environment = [
      "HF_ENDPOINT": server.baseURL.absoluteString, "HF_HOME": scratch.path("home"), "HF_TOKEN": "",
      "HF_HUB_CACHE": "", "HF_HUB_OFFLINE": "",
    ]
    let result = try runBae(["download", "org/one", "--to", scratch.path("out"), "--json"], environment: environment)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains(#""commit":"\#(Self.commit)""#), "\(result.stdout)")
    #expect(result.stdout.contains(#""files":["config.json"]"#))
    #expect(result.stdout.contains(#""downloaded_bytes":22"#))
    #expect(try Data(contentsOf: scratch.url("out/config.json")) == Self.config)
    let link = scratch.path("home/hub/models--org--one/snapshots/\(Self.commit)/config.json")
    #expect(
      try FileManager.default.destinationOfSymbolicLink(atPath: link)
        == "../../blobs/0972e95c1405cc1507c19dcbe784f7a36c930907")

    let again = try runBae(["download", "org/one"], environment: environment)
    #expect(again.status == 0)
    #expect(again.stdout.contains("1 files, 22 B (0 B downloaded, 1 already cached)"), "\(again.stdout)")

    let offline = try runBae(["download", "org/one"], environment: environment.merging(["HF_HUB_OFFLINE": "1"]) { $1 })
    #expect(offline.status == 1)
    #expect(offline.stderr.contains("HF_HUB_OFFLINE is set: not downloading org/one"), "\(offline.stderr)")

    let missing = try runBae(["inspect", "--model", "org/absent"], environment: environment)
    #expect(missing.status == 1)
    #expect(missing.stderr.contains("fetch it with `bae download org/absent`"), "\(missing.stderr)")
  }
}
