import Autoencoders
import Foundation
import HookPoints
import TensorCore
import TestSupport
import Testing

/// `bae eval` end to end on the tiny model: the JSON object, the files of `--out`, the summary,
/// and one-line errors for an autoencoder that does not fit the features or the model.
@Suite struct EvalCommandTests {
  static let hook = HookPoint.residualPost(layer: 0)
  static let model = Fixtures.model("tiny-extract").path
  static let corpus = repositoryRoot.appendingPathComponent("corpora/pile-sample.jsonl.zst").path

  /// A scratch directory with a feature set `features/` (41 rows of width 32 at `hook`) and
  /// autoencoders `bae/` (d = 32, m = 64, at `hook`), `wide/` (d = 16) and `elsewhere/` (at
  /// `resid_post` 1).
  static func workspace() throws -> ScratchDirectory {
    let scratch = try ScratchDirectory("cli-eval")
    var random = SeededRandom(seed: 4)
    let x = Matrix(rows: 41, columns: 32, values: random.floats(41 * 32, scale: 2))
    try FeatureSetFixture.write([(hook, x)], to: scratch.url("features"), shardRows: 16)
    let autoencoders: [(String, Int, HookPoint)] = [
      ("bae", 32, hook), ("wide", 16, hook), ("elsewhere", 32, .residualPost(layer: 1)),
    ]
    for (name, width, point) in autoencoders {
      let c = AutoencoderConfiguration(
        architecture: .bae, inputWidth: width, codeWidth: 2 * width, inputHook: point.name, model: "tiny-extract")
      try AutoencoderFiles.save(try Autoencoder(configuration: c, seed: 9), training: nil, to: scratch.url(name))
    }
    return scratch
  }

  static func object(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }

  @Test func featuresGiveReconstructionStatisticsAsJSONAndFiles() throws {
    let scratch = try Self.workspace()
    let result = try runBae([
      "eval", scratch.path("bae"), "--features", scratch.path("features"), "--json", "--out", scratch.path("out"),
      "--batch-size", "8", "--threads", "1",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.split(separator: "\n").count == 1, "one JSON object on one line")
    let json = try Self.object(result.stdout)
    #expect(json["hook"] as? String == Self.hook.name)
    #expect(json["dense_threshold"] as? Double == 0.5)
    #expect(json["downstream"] == nil)
    let reconstruction = try #require(json["reconstruction"] as? [String: Any])
    #expect(reconstruction["rows"] as? Int == 41)
    for key in ["l0", "mse", "fvu", "explained_variance", "dead", "dense", "entropy_bits"] {
      #expect(reconstruction[key] != nil, "\(key)")
    }

    let written = try Self.object(try String(contentsOf: scratch.url("out/eval.json"), encoding: .utf8))
    #expect(written["reconstruction"] as? NSDictionary == reconstruction as NSDictionary)
    let svg = try XMLTree(try String(contentsOf: scratch.url("out/firing-rates.svg"), encoding: .utf8))
    #expect(svg.root?.name == "svg")
    #expect(!svg.elements(withClass: "bar").isEmpty)
    let csv = try String(contentsOf: scratch.url("out/firing-rates.csv"), encoding: .utf8)
    #expect(csv.split(separator: "\n").count == 1 + 64)
    #expect(csv.hasPrefix("code,firing_rate\n0,"))

    let threshold = try runBae([
      "eval", scratch.path("bae"), "--features", scratch.path("features"), "--json", "--dense-threshold", "0.05",
    ])
    #expect(try Self.object(threshold.stdout)["dense_threshold"] as? Double == 0.05)

    let text = try runBae(["eval", scratch.path("bae"), "--features", scratch.path("features")])
    #expect(text.status == 0, "\(text.stderr)")
    #expect(text.stdout.contains("reconstruction over 41 feature-set rows:"), "\(text.stdout)")
    #expect(text.stdout.contains("dense codes") && text.stdout.contains("(firing rate > 0.5)"), "\(text.stdout)")
    #expect(text.stdout.contains("downstream loss: not measured (needs --corpus"), "\(text.stdout)")
  }

  @Test func aCorpusGivesTheDownstreamLoss() throws {
    let scratch = try Self.workspace()
    let result = try runBae([
      "eval", scratch.path("bae"), "--model", Self.model, "--corpus", Self.corpus, "--max-tokens", "120", "--context",
      "32", "--json", "--threads", "1",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    let json = try Self.object(result.stdout)
    #expect(json["reconstruction"] == nil)
    let downstream = try #require(json["downstream"] as? [String: Any])
    #expect(downstream["tokens"] as? Int == 120)
    #expect(downstream["keep_first"] as? Int == 1)
    let clean = try #require(downstream["clean_loss"] as? Double)
    let zero = try #require(downstream["zero_ablation_loss"] as? Double)
    let spliced = try #require(downstream["spliced_loss"] as? Double)
    let recovered = try #require(downstream["loss_recovered"] as? Double)
    #expect(clean > 0 && zero > 0 && spliced > 0)
    #expect(abs(recovered - (zero - spliced) / (zero - clean)) < 1e-12)
    #expect(downstream["mean_ablation_loss"] is Double && downstream["loss_recovered_vs_mean_ablation"] is Double)
    let rows = try #require(downstream["reconstruction"] as? [String: Any])
    #expect(rows["rows"] as? Int == 120)

    let text = try runBae([
      "eval", scratch.path("bae"), "--model", Self.model, "--corpus", Self.corpus, "--max-tokens", "60",
      "--out", scratch.path("out"),
    ])
    #expect(text.status == 0, "\(text.stderr)")
    #expect(text.stdout.contains("downstream loss, nats per predicted token, over "), "\(text.stdout)")
    #expect(text.stdout.contains("reconstruction over 60 replaced corpus tokens:"), "\(text.stdout)")
    _ = try XMLTree(try String(contentsOf: scratch.url("out/firing-rates.svg"), encoding: .utf8))
  }

  @Test func anAutoencoderThatDoesNotFitIsRefusedInOneLine() throws {
    let scratch = try Self.workspace()
    let cases: [([String], [String])] = [
      (
        [scratch.path("wide"), "--model", Self.model, "--corpus", Self.corpus, "--max-tokens", "10"],
        ["width 16", "width 32", Self.hook.name]
      ),
      (
        [scratch.path("wide"), "--features", scratch.path("features")],
        ["width 16", "width 32", "feature set"]
      ),
      (
        [scratch.path("elsewhere"), "--features", scratch.path("features")],
        ["blocks.1.hook_resid_post", "blocks.0.hook_resid_post"]
      ),
      (
        [
          scratch.path("bae"), "--hook", "resid_post:7", "--model", Self.model, "--corpus", Self.corpus,
          "--max-tokens", "10",
        ],
        ["blocks.7.hook_resid_post", "layers 0…1"]
      ),
      ([scratch.path("bae")], ["--features", "--corpus"]),
      ([scratch.path("bae"), "--corpus", Self.corpus], ["--max-tokens"]),
      ([scratch.path("bae"), "--features", scratch.path("features"), "--dense-threshold", "2"], ["0…1"]),
    ]
    for (arguments, needles) in cases {
      let result = try runBae(["eval"] + arguments)
      #expect(result.status != 0, "\(arguments)")
      for needle in needles { #expect(result.stderr.contains(needle), "\(arguments): \(result.stderr)") }
    }
  }
}
