import Checkpoints
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `bae extract` end to end: a real SIGKILL in the middle, then `--resume`.
@Suite struct ExtractCommandTests {
  let model = Fixtures.model("tiny-extract").path
  let corpus = repositoryRoot.appendingPathComponent("corpora/pile-sample.jsonl.zst").path

  func arguments(_ out: URL) -> [String] {
    [
      "extract", "--model", model, "--corpus", corpus, "--hooks", "resid_post:all,mlp_in:1", "--max-tokens", "20000",
      "--context", "128", "--batch-tokens", "512", "--shard-tokens", "1000", "--threads", "2", "--out", out.path,
    ]
  }

  @Test func killedRunResumesToIdenticalShards() throws {
    let whole = try ScratchDirectory().url("whole")
    let uninterrupted = try runBae(arguments(whole))
    #expect(uninterrupted.status == 0, "\(uninterrupted.stderr)")

    let parts = try ScratchDirectory().url("parts")
    let manifest = parts.appendingPathComponent("manifest.json")
    _ = try runBaeKilled(arguments(parts)) {
      guard let data = FileManager.default.contents(atPath: manifest.path),
        let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
        let shards = json["shards"] as? [Any]
      else { return false }
      return shards.count >= 2
    }
    let resumed = try runBae(arguments(parts) + ["--resume"])
    #expect(resumed.status == 0, "\(resumed.stderr)")

    let a =
      try JSONSerialization.jsonObject(with: Data(contentsOf: whole.appendingPathComponent("manifest.json")))
      as! [String: Any]
    let b = try JSONSerialization.jsonObject(with: Data(contentsOf: manifest)) as! [String: Any]
    let shardsA = a["shards"] as! [[String: Any]]
    let shardsB = b["shards"] as! [[String: Any]]
    #expect(shardsA.count == shardsB.count && shardsA.count >= 10)
    for shard in shardsA {
      let file = ((shard["files"] as! [[String: Any]])[0]["path"] as! String)
      let same =
        try Data(contentsOf: whole.appendingPathComponent(file)) == Data(contentsOf: parts.appendingPathComponent(file))
      #expect(same, "\(file) differs after kill + resume")
    }
    let info = try runBae(["features", "info", parts.path])
    #expect(info.stdout.contains("20,000 in"), "\(info.stdout)")
    #expect(info.stdout.contains("(complete)"))
  }

  @Test func badInputGivesOneLineErrors() throws {
    let directory = try ScratchDirectory().url
    let broken = directory.appendingPathComponent("cut.jsonl.zst")
    let data = try Data(contentsOf: URL(fileURLWithPath: corpus))
    try data.prefix(data.count / 4).write(to: broken)
    let cases: [([String], String)] = [
      (["--corpus", broken.path, "--on-bad-input", "fail"], "cut.jsonl.zst"),
      (["--corpus", corpus, "--hooks", "blocks.0.hook_bogus"], "unknown hook"),
      (["--corpus", directory.appendingPathComponent("missing.txt").path], "missing.txt"),
    ]
    for (extra, message) in cases {
      let out = directory.appendingPathComponent(UUID().uuidString)
      let result = try runBae(["extract", "--model", model, "--out", out.path] + extra)
      #expect(result.status != 0)
      #expect(result.stderr.contains(message), "\(extra): \(result.stderr)")
      #expect(result.stderr.split(separator: "\n").count == 1, "\(extra): \(result.stderr)")
      let leftovers = (try? FileManager.default.subpathsOfDirectory(atPath: out.path)) ?? []
      #expect(!leftovers.contains { AtomicFile.isTemporaryFile(($0 as NSString).lastPathComponent) })
    }
  }

  /// Other OpenBLAS kernels round differently: a resume under other kernels is refused, naming
  /// the variable that selects them.
  @Test func resumeWithOtherKernelsIsRefused() throws {
    let out = try ScratchDirectory("kernels").url.appendingPathComponent("set")
    let first = try runBae(
      [
        "extract", "--model", model, "--corpus", corpus, "--hooks", "resid_post:1", "--max-tokens", "300", "--out",
        out.path,
      ],
      environment: ["OPENBLAS_CORETYPE": "Prescott"])
    #expect(first.status == 0, "\(first.stderr)")
    let other = try runBae(
      [
        "extract", "--model", model, "--corpus", corpus, "--hooks", "resid_post:1", "--max-tokens", "300", "--out",
        out.path, "--resume",
      ],
      environment: ["OPENBLAS_CORETYPE": "Nehalem"])
    #expect(other.status != 0 && other.stderr.contains("OPENBLAS_CORETYPE"), "\(other.stderr)")
  }
}
