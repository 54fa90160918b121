import Foundation
import TestSupport
import Testing

/// `bae icl` end to end on the default model (skipped without it), with few prompts and short
/// fits so the test stays quick; the numbers themselves are checked in StudiesTests.
@Suite struct ICLCommandTests {
  static let available = Fixtures.defaultModelAvailable

  @Test(.enabled(if: available, Comment(rawValue: Fixtures.defaultModelMissing)))
  func writesTraceFilesAndPrompts() throws {
    let out = try ScratchDirectory("icl").url
    let result = try runBae(
      [
        "icl", "--task", "sst2", "--k", "0,2", "--prompts", "6", "--layers", "3,7", "--fit-steps", "20", "--seeds", "2",
        "--threads", "2", "--out", out.path, "--json",
      ], directory: repositoryRoot)
    #expect(result.status == 0, "\(result.stderr)")
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "stdout is one JSON object")
    #expect(json["task"] as? String == "sst2")
    let accuracy = try #require(json["accuracy"] as? [[String: Any]])
    #expect(accuracy.map { $0["k"] as? Int } == [0, 2] && accuracy.allSatisfy { $0["prompts"] as? Int == 6 })

    let prompts = try String(contentsOf: out.appendingPathComponent("prompts.jsonl"), encoding: .utf8)
      .split(separator: "\n")
    #expect(prompts.count == 12)
    let first = try #require(try JSONSerialization.jsonObject(with: Data(prompts[0].utf8)) as? [String: Any])
    #expect((first["prompt"] as? String)?.hasSuffix("sentiment:") == true && first["k"] as? Int == 0)

    let csv = try String(contentsOf: out.appendingPathComponent("trace.csv"), encoding: .utf8).split(separator: "\n")
    #expect(csv.count == 1 + 2 * 2, "one row per (layer, k)")
    #expect(csv[0].hasPrefix("layer,hook,k,rows,entropy_bits,entropy_std_bits,seeds,"))
    let svg = try String(contentsOf: out.appendingPathComponent("trace.svg"), encoding: .utf8)
    #expect(try XMLTree(svg).elements(withClass: "series").count == 2, "one line per k")
    #expect(svg.contains("sst2"))
    let trace = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("trace.json")))
        as? [String: Any])
    #expect((trace["options"] as? [String: Any])?["fit_seeds"] as? [Int] == [0, 1])
  }

  @Test(.enabled(if: available, Comment(rawValue: Fixtures.defaultModelMissing)))
  func unknownTaskListsTheAvailableOnes() throws {
    let out = try ScratchDirectory("icl").url
    let result = try runBae(["icl", "--task", "sst3", "--out", out.path], directory: repositoryRoot)
    #expect(result.status == 64, "a usage error")
    #expect(result.stderr.contains("sst3") && result.stderr.contains("sst2") && result.stderr.contains("rotten_tomatoes"))
  }

  @Test(.enabled(if: available, Comment(rawValue: Fixtures.defaultModelMissing)))
  func kBeyondTheTaskIsRefused() throws {
    let out = try ScratchDirectory("icl").url
    let result = try runBae(["icl", "--task", "sst2", "--k", "0,5000", "--out", out.path], directory: repositoryRoot)
    #expect(result.status == 64, "a usage error")
    #expect(result.stderr.contains("5000") && result.stderr.contains("1024"), "\(result.stderr)")
  }

  @Test(.enabled(if: available, Comment(rawValue: Fixtures.defaultModelMissing)))
  func anAutoencoderOfAnotherWidthIsRefused() throws {
    let scratch = try ScratchDirectory("icl")
    // A BAE on 64-wide synthetic rows, saved as if for layer 3.
    let ae = scratch.url("ae/blocks.3.hook_resid_post")
    let features = scratch.url("features")
    try FeatureSetFixture.write(
      [(.residualPost(layer: 3), .init(rows: 64, columns: 8, values: (0..<512).map { Float($0 % 7) }))], to: features)
    let train = try runBae([
      "train", "--features", features.path, "--hook", "resid_post:3", "--epochs", "1", "--batch-size", "16", "--out",
      ae.path,
    ])
    #expect(train.status == 0, "\(train.stderr)")
    let result = try runBae(
      [
        "icl", "--task", "sst2", "--k", "0", "--prompts", "2", "--layers", "3", "--estimator", "given", "--ae-dir",
        scratch.path("ae"), "--out", scratch.path("out"),
      ], directory: repositoryRoot)
    #expect(result.status != 0)
    #expect(result.stderr.contains("layer 3") && result.stderr.contains("576"), "\(result.stderr)")
  }
}
