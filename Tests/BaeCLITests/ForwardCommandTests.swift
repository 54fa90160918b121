import Checkpoints
import Foundation
import TestSupport
import Testing

/// `bae forward` and `bae inspect` end to end, as a user runs them.
@Suite struct ForwardCommandTests {
  @Test func forwardWritesEveryRequestedHookMatchingGolden() throws {
    let out = try ScratchDirectory().url
    let golden = try SafetensorsFile(
      Fixtures.golden("tiny-llama3-gqa"))
    let ids = try golden.int32s("s2.token_ids")
    let result = try runBae([
      "forward", "--model", Fixtures.model("tiny-llama3-gqa").path, "--tokens",
      ids.map(String.init).joined(separator: ","), "--hooks", "resid_pre:0,mlp_in:all,logits", "--out", out.path,
    ])
    #expect(result.status == 0, "stderr: \(result.stderr)")
    let file = try SafetensorsFile(out.appendingPathComponent("activations.safetensors"))
    #expect(try file.int32s("token_ids") == ids)
    #expect(file.metadata["layer_count"] == "3")
    #expect(
      file.metadata["hooks"]
        == "blocks.0.hook_resid_pre,blocks.0.ln2.hook_normalized,blocks.1.ln2.hook_normalized,blocks.2.ln2.hook_normalized,logits"
    )
    for name in ["blocks.0.hook_resid_pre", "blocks.1.ln2.hook_normalized", "logits"] {
      let diff = maxAbsDiff(try file.floats(name), try golden.floats("s2.\(name)"))
      #expect(diff <= 1e-4, "\(name): maxdiff \(diff)")
    }
    #expect(file.info(for: "logits")?.shape == [ids.count, 96])
  }

  @Test func badInputGivesOneLineErrorAndFailureStatus() throws {
    let scratch = try ScratchDirectory()
    let broken = scratch.url("model")
    try FileManager.default.copyItem(at: Fixtures.model("tiny-llama3-gqa"), to: broken)
    let weights = broken.appendingPathComponent("model.safetensors")
    try Data(try Data(contentsOf: weights).prefix(5000)).write(to: weights)
    let cases: [([String], String)] = [
      (["forward", "--model", broken.path, "--tokens", "1,2", "--out", scratch.path("out1")], "truncated"),
      (
        [
          "forward", "--model", Fixtures.model("tiny-llama3-gqa").path, "--tokens", "1,2", "--hooks",
          "blocks.7.hook_resid_post", "--out", scratch.path("out2"),
        ], "layer 7 does not exist"
      ),
      (
        [
          "forward", "--model", Fixtures.model("tiny-llama3-gqa").path, "--tokens", "1,500", "--out",
          scratch.path("out3"),
        ], "outside the vocabulary"
      ),
      (["inspect", "/nonexistent/model"], "no such file"),
    ]
    for (arguments, message) in cases {
      let result = try runBae(arguments)
      #expect(result.status != 0, "\(arguments)")
      let lines = result.stderr.split(separator: "\n")
      #expect(lines.count == 1, "\(arguments): \(result.stderr)")
      #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
    }
  }

  /// A copy of the tiny tied model whose `config.json` has `from` replaced by `to`.
  func modelWithConfig(replacing from: String, with to: String) throws -> URL {
    let model = try ScratchDirectory("model").url("tiny")
    try FileManager.default.copyItem(at: Fixtures.model("tiny-tied-mqa"), to: model)
    let config = model.appendingPathComponent("config.json")
    let text = try String(contentsOf: config, encoding: .utf8)
    #expect(text.contains(from))
    try Data(text.replacingOccurrences(of: from, with: to).utf8).write(to: config)
    return model
  }

  @Test func forwardPastTheTrainedContextWarnsOnStderrAndRuns() throws {
    let model = try modelWithConfig(
      replacing: #""max_position_embeddings": 256"#, with: #""max_position_embeddings": 4"#)
    let out = try ScratchDirectory().url
    let result = try runBae([
      "forward", "--model", model.path, "--tokens", "1,2,3,4,5,6", "--hooks", "logits", "--out", out.path,
    ])
    #expect(result.status == 0, "stderr: \(result.stderr)")
    #expect(result.stderr.contains("warning: a sequence of 6 tokens is longer than the model's context of 4"))
    let within = try runBae([
      "forward", "--model", model.path, "--tokens", "1,2,3,4", "--hooks", "logits", "--out", out.path,
    ])
    #expect(within.status == 0)
    #expect(!within.stderr.contains("warning"))
  }

  @Test func inspectOfAnAbsurdIntermediateSizeIsAOneLineError() throws {
    let model = try modelWithConfig(
      replacing: #""intermediate_size": 128"#, with: #""intermediate_size": 4611686018427387904"#)
    let result = try runBae(["inspect", model.path])
    #expect(result.status != 0)
    #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    #expect(result.stderr.contains("intermediate_size"), "\(result.stderr)")
  }

  @Test func inspectDescribesCheckpoint() throws {
    let result = try runBae(["inspect", Fixtures.model("tiny-tied-mqa").path])
    #expect(result.status == 0)
    #expect(result.stdout.contains("2 layers, d=64"))
    #expect(result.stdout.contains("kv heads=1"))
    #expect(result.stdout.contains("tied"))
    #expect(result.stdout.contains("BF16"))
  }
}
