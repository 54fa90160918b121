import Foundation
import TestSupport
import Testing

/// `bae features verify` on a set written by `bae extract`: ok while intact, one-line error
/// with status 1 naming the shard once a byte is flipped or a file is cut short.
@Suite struct FeaturesCommandTests {
  @Test func verifyReportsIntactAndDamagedSets() throws {
    let out = (try ScratchDirectory("cli")).url.appendingPathComponent("set")
    defer { try? FileManager.default.removeItem(at: out.deletingLastPathComponent()) }
    let extract = try runBae([
      "extract", "--model", Fixtures.model("tiny-extract").path,
      "--corpus", repositoryRoot.appendingPathComponent("corpora/pile-sample.jsonl.zst").path,
      "--hooks", "resid_post:1", "--max-tokens", "1500", "--context", "128", "--batch-tokens", "512",
      "--shard-tokens", "500", "--threads", "1", "--out", out.path,
    ])
    #expect(extract.status == 0, "\(extract.stderr)")

    let intact = try runBae(["features", "verify", out.path])
    #expect(intact.status == 0, "\(intact.stderr)")
    #expect(intact.stdout == "ok: 3 shards, 1500 rows verified\n", "\(intact.stdout)")

    let shard = out.appendingPathComponent("shard-00001.safetensors")
    var data = try Data(contentsOf: shard)
    data[data.count - 1] ^= 0x01
    try data.write(to: shard)
    let flipped = try runBae(["features", "verify", out.path])
    #expect(flipped.status == 1)
    #expect(flipped.stdout.isEmpty)
    #expect(
      flipped.stderr.contains("shard-00001.safetensors") && flipped.stderr.contains("SHA-256"), "\(flipped.stderr)")
    #expect(flipped.stderr.split(separator: "\n").count == 1, "\(flipped.stderr)")

    try data.prefix(data.count - 8).write(to: shard)
    let truncated = try runBae(["features", "verify", out.path])
    #expect(truncated.status == 1)
    #expect(
      truncated.stderr.contains("shard-00001.safetensors") && truncated.stderr.contains("bytes on disk"),
      "\(truncated.stderr)")
  }

  @Test func verifyNeedsAFeatureSet() throws {
    let empty = (try ScratchDirectory("cli")).url
    defer { try? FileManager.default.removeItem(at: empty) }
    let result = try runBae(["features", "verify", empty.path])
    #expect(result.status == 1)
    #expect(result.stderr.contains("not a feature set (no manifest.json)"), "\(result.stderr)")
  }
}
