import FeatureSets
import Foundation
import TestSupport
import Testing

/// `bae extract --shard` as separate processes, `bae features merge` and `bae features compare`,
/// on the tiny model and a small corpus of three files (JSONL, plain text in a subdirectory,
/// a tar.gz of members).
@Suite struct ShardedExtractCommandTests {
  static let model = Fixtures.model("tiny-extract").path

  /// A corpus directory of ~90 documents (~7k tokens of the tiny tokenizer), deterministic.
  static func corpus(in directory: URL) throws -> URL {
    let root = directory.appendingPathComponent("corpus")
    try FileManager.default.createDirectory(at: root.appendingPathComponent("sub"), withIntermediateDirectories: true)
    let words = [
      "the", "river", "ran", "past", "old", "mill", "where", "children", "played", "every", "summer", "and", "sang",
      "songs", "about", "stars", "bread", "quiet", "morning", "light", "fell", "on", "stone", "walls", "of", "town",
    ]
    var state: UInt64 = 12345
    func next(_ bound: Int) -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int((state >> 33) % UInt64(bound))
    }
    func sentence() -> String { (0..<(3 + next(40))).map { _ in words[next(words.count)] }.joined(separator: " ") }
    var jsonl = ""
    for _ in 0..<55 {
      let data = try JSONSerialization.data(withJSONObject: ["text": sentence() + ". " + sentence()])
      jsonl += String(decoding: data, as: UTF8.self) + "\n"
    }
    try jsonl.write(to: root.appendingPathComponent("a.jsonl"), atomically: true, encoding: .utf8)
    let lines = (0..<32).map { _ in sentence() }.joined(separator: "\n") + "\n"
    try lines.write(to: root.appendingPathComponent("sub/b.txt"), atomically: true, encoding: .utf8)
    try FileManager.default.copyItem(
      at: Fixtures.resource("docs.tar.gz", in: "CorporaTests"), to: root.appendingPathComponent("docs.tar.gz"))
    return root
  }

  static func extract(_ corpus: URL, _ out: URL, _ extra: [String] = []) -> [String] {
    [
      "extract", "--model", model, "--corpus", corpus.path, "--hooks", "resid_post:all,mlp_in:1", "--context", "32",
      "--batch-tokens", "128", "--shard-tokens", "300", "--threads", "1", "--out", out.path,
    ] + extra
  }

  /// Runs the `count` parts of an extraction as separate processes (one named by
  /// SLURM_ARRAY_TASK_ID and one by JOB_COMPLETION_INDEX when there are three or more).
  static func runParts(_ count: Int, corpus: URL, out: URL, extra: [String] = []) throws {
    for index in 0..<count {
      var arguments = extract(corpus, out, extra)
      var environment: [String: String] = [:]
      switch (count >= 3, index) {
      case (true, 1):
        environment = ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_COUNT": "\(count)"]
      case (true, 2):
        environment = ["JOB_COMPLETION_INDEX": "2", "BAE_SHARD_COUNT": "\(count)"]
      default:
        arguments += ["--shard", "\(index)/\(count)"]
      }
      let result = try runBae(arguments, environment: environment)
      #expect(result.status == 0, "part \(index)/\(count): \(result.stderr)")
      #expect(result.stderr.contains("part \(index)/\(count)"), "\(result.stderr)")
    }
  }

  /// N = 1, 3 and 7 parts, merged, hold exactly the rows of the single-process run: the same
  /// documents, each with the same rows (position, token id) and the same values of every hook.
  /// One part runs the same batches as one process, so its values are equal bit for bit; with
  /// more parts a window's neighbours in its batch differ, and OpenBLAS's sgemm rounds a row
  /// differently when the product has another row count: values then agree to float32
  /// rounding (relative L2 difference of a row ≤ 1e-5; measured ~3e-7, as much as one process
  /// run with another batch size differs from itself).
  @Test func mergedPartsHoldTheRowsOfOneProcess() throws {
    let scratch = try ScratchDirectory("sharded").url
    let corpus = try Self.corpus(in: scratch)
    let single = scratch.appendingPathComponent("single")
    let run = try runBae(Self.extract(corpus, single, ["--shard", "off"]))
    #expect(run.status == 0, "\(run.stderr)")
    let reference = try FeatureSet(directory: single)
    #expect(reference.rowCount > 4000 && reference.shardCount >= 10)

    for count in [1, 3, 7] {
      let out = scratch.appendingPathComponent("parts-\(count)")
      try Self.runParts(count, corpus: corpus, out: out)
      let merge = try runBae(["features", "merge", out.path, "--verify"])
      #expect(merge.status == 0, "\(merge.stderr)")
      #expect(merge.stdout.hasPrefix("merged \(count) of \(count) parts: "), "\(merge.stdout)")
      let merged = try FeatureSet(directory: out)
      let comparison = try merged.compareRows(with: reference, tolerance: 1e-5)
      #expect(comparison.same, "\(count) parts: \(comparison.difference ?? "")")
      #expect(comparison.rows == reference.rowCount && comparison.otherRows == reference.rowCount)
      if count == 1 { #expect(comparison.maxAbsoluteDifference == 0) }
      #expect(merged.manifests[0].parts?.map(\.index) == Array(0..<count))
      #expect(merged.manifests[0].counters.documentsUsed == reference.manifests[0].counters.documentsUsed)
      if count == 7 {
        let compare = try runBae(["features", "compare", out.path, single.path, "--tolerance", "1e-5", "--json"])
        #expect(compare.status == 0, "\(compare.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(compare.stdout.utf8)) as? [String: Any]
        #expect(json?["same"] as? Bool == true && json?["rows"] as? Int == reference.rowCount, "\(compare.stdout)")
        // bae train reads the merged set.
        let train = try runBae([
          "train", "--features", out.path, "--hook", "resid_post:1", "--arch", "relu", "--l1-weight", "1e-3",
          "--epochs", "1", "--batch-size", "256", "--threads", "1", "--json", "--out",
          scratch.appendingPathComponent("ae").path,
        ])
        #expect(train.status == 0, "\(train.stderr)")
      }
    }
    // A different set is told apart, naming the difference.
    let other = scratch.appendingPathComponent("other")
    #expect(try runBae(Self.extract(corpus, other, ["--shard", "off", "--skip-first", "2"])).status == 0)
    let differ = try runBae(["features", "compare", other.path, single.path])
    #expect(differ.status == 1 && differ.stderr.contains("the sets differ"), "\(differ.stderr)")
  }

  /// Merge refuses a missing part (unless asked to merge an incomplete set, which readers then
  /// refuse unless allowed), a part extracted with other options, a document in two parts, and
  /// a directory holding an unsharded set.
  @Test func mergeRefusesInconsistentParts() throws {
    let scratch = try ScratchDirectory("sharded-bad").url
    let corpus = try Self.corpus(in: scratch)
    let out = scratch.appendingPathComponent("parts")
    try Self.runParts(3, corpus: corpus, out: out)
    let fm = FileManager.default
    let part2 = out.appendingPathComponent("part-00002")
    let aside = scratch.appendingPathComponent("part-00002-aside")
    try fm.moveItem(at: part2, to: aside)

    let missing = try runBae(["features", "merge", out.path])
    #expect(missing.status == 1 && missing.stderr.contains("1 of 3 parts missing (part-00002)"), "\(missing.stderr)")
    #expect(!fm.fileExists(atPath: FeatureManifest.url(in: out).path))

    let partial = try runBae(["features", "merge", out.path, "--allow-incomplete"])
    #expect(partial.status == 0 && partial.stdout.contains("merged 2 of 3 parts"), "\(partial.stderr)")
    #expect(throws: FeatureSetError.incomplete(directory: out)) { try FeatureSet(directory: out) }
    let rows = try [0, 1].map { try FeatureSet(directory: out.appendingPathComponent("part-0000\($0)")).rowCount }
    #expect(try FeatureSet(directory: out, options: .init(allowIncomplete: true)).rowCount == rows.reduce(0, +))
    let train = try runBae([
      "train", "--features", out.path, "--hook", "resid_post:1", "--arch", "relu", "--epochs", "1", "--threads", "1",
      "--out", scratch.appendingPathComponent("ae").path,
    ])
    #expect(train.status == 1 && train.stderr.contains("incomplete"), "\(train.stderr)")

    // Part 2 extracted with another window length.
    let otherOptions = try runBae(Self.extract(corpus, out, ["--shard", "2/3", "--context", "48"]))
    #expect(otherOptions.status == 0, "\(otherOptions.stderr)")
    let refused = try runBae(["features", "merge", out.path])
    #expect(refused.status == 1, "\(refused.stdout)")
    #expect(
      refused.stderr.contains("part-00002") && refused.stderr.contains("the extraction options differ"),
      "\(refused.stderr)")
    #expect(refused.stderr.split(separator: "\n").count == 1)

    // Part 0's documents again, presented as part 2.
    try fm.removeItem(at: part2)
    try fm.copyItem(at: out.appendingPathComponent("part-00000"), to: part2)
    let manifest = FeatureManifest.url(in: part2)
    var json = try String(contentsOf: manifest, encoding: .utf8)
    json = json.replacingOccurrences(of: "\"index\" : 0", with: "\"index\" : 2")
    try json.write(to: manifest, atomically: true, encoding: .utf8)
    let twice = try runBae(["features", "merge", out.path])
    #expect(
      twice.status == 1 && twice.stderr.contains("has rows in two parts, part-00000 and part-00002"), "\(twice.stderr)")

    // The real part 2 back: the merge succeeds and replaces the incomplete merged manifest.
    try fm.removeItem(at: part2)
    try fm.moveItem(at: aside, to: part2)
    let whole = try runBae(["features", "merge", out.path])
    #expect(whole.status == 0 && whole.stdout.contains("(complete)"), "\(whole.stderr)")

    let single = scratch.appendingPathComponent("single")
    #expect(try runBae(Self.extract(corpus, single, ["--shard", "off"])).status == 0)
    let unsharded = try runBae(["features", "merge", single.path])
    #expect(unsharded.status == 1 && unsharded.stderr.contains("unsharded"), "\(unsharded.stderr)")
  }

  /// A part killed (SIGKILL) after its second shard resumes on its own, to the bytes of an
  /// uninterrupted run of that part.
  @Test func killedPartResumesOnItsOwn() throws {
    let scratch = try ScratchDirectory("sharded-kill").url
    let pile = repositoryRoot.appendingPathComponent("corpora/pile-sample.jsonl.zst").path
    func arguments(_ out: URL) -> [String] {
      [
        "extract", "--model", Self.model, "--corpus", pile, "--hooks", "resid_post:all", "--max-tokens", "21000",
        "--context", "128", "--batch-tokens", "512", "--shard-tokens", "1000", "--threads", "1", "--shard", "1/3",
        "--out", out.path,
      ]
    }
    let whole = scratch.appendingPathComponent("whole")
    #expect(try runBae(arguments(whole)).status == 0)
    let killed = scratch.appendingPathComponent("killed")
    let manifest = FeatureManifest.url(in: killed.appendingPathComponent("part-00001"))
    _ = try runBaeKilled(arguments(killed)) {
      ((try? FeatureManifest.load(from: manifest.deletingLastPathComponent()))?.shards.count ?? 0) >= 2
    }
    let interrupted = try FeatureManifest.load(from: manifest.deletingLastPathComponent())
    #expect(!interrupted.complete, "the part finished before it was killed; the test needs a longer run")
    let resumed = try runBae(arguments(killed) + ["--resume"])
    #expect(resumed.status == 0, "\(resumed.stderr)")
    let a = try FeatureManifest.load(from: whole.appendingPathComponent("part-00001"))
    let b = try FeatureManifest.load(from: manifest.deletingLastPathComponent())
    #expect(a.totalTokens == 7000 && a.shards.count >= 6)
    #expect(a.shards == b.shards, "shard names, row counts and SHA-256 must match")
  }

  /// Bad shard settings give one-line errors before anything is written.
  @Test func badShardSettingsAreRefused() throws {
    let scratch = try ScratchDirectory("sharded-flags").url
    let corpus = try Self.corpus(in: scratch)
    let out = scratch.appendingPathComponent("out")
    let cases: [([String], [String: String], String)] = [
      (["--shard", "3/3"], [:], "part 3 of 3 does not exist"),
      (["--shard", "two"], [:], "must look like I/N"),
      ([], ["JOB_COMPLETION_INDEX": "1"], "BAE_SHARD_COUNT"),
      ([], ["SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_COUNT": "3"], "--array=0-2"),
      (["--shard-count", "3"], [:], "needs JOB_COMPLETION_INDEX"),
    ]
    for (extra, environment, message) in cases {
      let result = try runBae(Self.extract(corpus, out, extra), environment: environment)
      #expect(result.status != 0)
      #expect(result.stderr.contains(message), "\(extra) \(environment): \(result.stderr)")
      #expect(!FileManager.default.fileExists(atPath: out.path))
    }
  }
}
