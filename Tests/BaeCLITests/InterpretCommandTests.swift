import Autoencoders
import ChatAPI
import Foundation
import HookPoints
import Interpret
import TestSupport
import Testing

/// `bae interpret` on the tiny model: records only, explaining saved records (which needs the
/// judge factory), and one-line errors for bad input.
@Suite struct InterpretCommandTests {
  static let model = Fixtures.model("tiny-extract").path
  static let corpus = repositoryRoot.appendingPathComponent("corpora/bookcorpus-sample.txt.gz").path
  static let hook = HookPoint.residualPost(layer: 1)

  /// A scratch directory with a seeded BAE `bae/` (d = 32, m = 48) at `hook`.
  static func workspace() throws -> ScratchDirectory {
    let scratch = try ScratchDirectory("cli-interpret")
    let c = AutoencoderConfiguration(
      architecture: .bae, inputWidth: 32, codeWidth: 48, inputHook: hook.name, model: "tiny-extract")
    try AutoencoderFiles.save(try Autoencoder(configuration: c, seed: 3), training: nil, to: scratch.url("bae"))
    return scratch
  }

  @Test func recordsOnlyWritesARecordsDirectory() throws {
    let scratch = try Self.workspace()
    let result = try runBae([
      "interpret", "--model", Self.model, "--corpus", Self.corpus, "--ae", scratch.path("bae"), "--samples", "20",
      "--bos", "auto", "--top-k", "4", "--out", scratch.path("run"), "--records-only", "--json", "--threads", "1",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    let manifest = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(manifest["texts_read"] as? Int == 20 && manifest["top_k"] as? Int == 4)
    #expect(manifest["scoring"] as? String == "minority_state" && manifest["hook"] as? String == Self.hook.name)
    let records = try ActivationRecords.read(from: scratch.url("run/records"))
    #expect(records.records.count == 48)
    #expect(records.records.map(\.count).reduce(0, +) == 4 * records.manifest.tokens)

    // An unreachable judge is a one-line error that names it.
    let explain = try runBae([
      "interpret", "--from-records", scratch.path("run/records"), "--out", scratch.path("explained"),
      "--judge-url", "http://127.0.0.1:9/v1", "--judge-model", "judge", "--judge-retries", "0",
    ])
    #expect(explain.status != 0)
    #expect(explain.stderr.contains("cannot reach the judge at http://127.0.0.1:9/v1"), "\(explain.stderr)")
  }

  @Test(arguments: [
    (["--type", "relu"], "does not match the autoencoder"),
    (["--hook", "resid_post:9"], "past the model"),
    (["--records-only", "--from-records", "x"], "exclude each other"),
    (["--top-k", "0"], "--top-k must be at least 1"),
  ])
  func badInputIsOneLine(extra: [String], message: String) throws {
    let scratch = try Self.workspace()
    let result = try runBae(
      [
        "interpret", "--model", Self.model, "--corpus", Self.corpus, "--ae", scratch.path("bae"), "--samples", "3",
        "--bos", "auto", "--out", scratch.path("run"), "--records-only",
      ] + extra)
    #expect(result.status != 0)
    #expect(result.stderr.contains(message), "\(result.stderr)")
  }

  @Test func theJudgeIsRequiredUnlessRecordsOnly() throws {
    let result = try runBae(["interpret", "--corpus", Self.corpus, "--ae", "x", "--out", "y"])
    #expect(result.status != 0)
    #expect(result.stderr.contains("--judge-url URL and --judge-model NAME"), "\(result.stderr)")
  }
}
