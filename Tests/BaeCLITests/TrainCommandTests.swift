import Checkpoints
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `bae train` end to end on a feature set extracted from the tiny model.
@Suite(.serialized) struct TrainCommandTests {
  static let model = Fixtures.model("tiny-extract").path
  static let corpus = repositoryRoot.appendingPathComponent("corpora/pile-sample.jsonl.zst").path

  /// A small feature set with every resid_post and the MLP input/output of layer 1.
  static func featureSet() throws -> URL {
    let out = try ScratchDirectory("train-features").url.appendingPathComponent("set")
    let result = try runBae([
      "extract", "--model", model, "--corpus", corpus, "--hooks", "resid_post:all,mlp_in:1,mlp_out:1", "--max-tokens",
      "2000", "--context", "64", "--threads", "1", "--out", out.path,
    ])
    #expect(result.status == 0, "\(result.stderr)")
    return out
  }

  @Test func trainsOneAutoencoderPerHookAndResumes() throws {
    let set = try Self.featureSet()
    let out = try ScratchDirectory("train").url
    let arguments = [
      "train", "--features", set.path, "--hook", "resid_post:all", "--epochs", "4", "--batch-size", "128",
      "--entropy-weight", "1e-4", "--entropy-start-epoch", "1", "--covariance-weight", "1e-5", "--checkpoint-every",
      "2",
      "--threads", "1", "--json", "--out",
    ]
    let result = try runBae(arguments + [out.path])
    #expect(result.status == 0, "\(result.stderr)")
    let summary = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    let runs = try #require(summary?["runs"] as? [[String: Any]])
    #expect(runs.map { $0["hook"] as? String } == ["blocks.0.hook_resid_post", "blocks.1.hook_resid_post"])
    for run in runs {
      #expect((run["entropy_bits"] as? Double ?? -1) > 0)
      let directory = URL(fileURLWithPath: try #require(run["out"] as? String))
      for file in ["config.json", "weights.safetensors", "metrics.jsonl", "checkpoint.safetensors"] {
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(file).path), "\(file)")
      }
    }
    // A finished run resumed is a no-op that keeps the same weights.
    let weights = out.appendingPathComponent("blocks.1.hook_resid_post/weights.safetensors")
    let before = try Data(contentsOf: weights)
    let again = try runBae(arguments + [out.path, "--resume"])
    #expect(again.status == 0, "\(again.stderr)")
    #expect(try Data(contentsOf: weights) == before)
    // Starting over into the same directory is refused.
    let refused = try runBae(arguments + [out.path])
    #expect(refused.status != 0 && refused.stderr.contains("already holds a training run"), "\(refused.stderr)")
  }

  @Test func transcoderAndBadInput() throws {
    let set = try Self.featureSet()
    let scratch = try ScratchDirectory("train-bad").url
    let transcoder = try runBae([
      "train", "--features", set.path, "--hook", "mlp_in:1", "--arch", "transcoder", "--epochs", "2", "--l1-weight",
      "1e-4", "--threads", "1", "--out", scratch.appendingPathComponent("tc").path,
    ])
    #expect(transcoder.status == 0, "\(transcoder.stderr)")
    let config = try String(contentsOf: scratch.appendingPathComponent("tc/config.json"), encoding: .utf8)
    #expect(config.contains("\"targetHook\" : \"blocks.1.hook_mlp_out\""))

    let streamed = try runBae([
      "train", "--features", set.path, "--hook", "resid_post:1", "--stream", "--shuffle-buffer", "256", "--epochs", "2",
      "--normalize", "sqrt-d", "--threads", "1", "--out", scratch.appendingPathComponent("streamed").path,
    ])
    #expect(streamed.status == 0, "\(streamed.stderr)")
    #expect(streamed.stdout.contains("rows streamed"), "\(streamed.stdout)")
    let streamedConfig = try String(contentsOf: scratch.appendingPathComponent("streamed/config.json"), encoding: .utf8)
    #expect(streamedConfig.contains("\"kind\" : \"sqrt-d\""))

    let typo = scratch.appendingPathComponent("typo.json")
    try #"{"training": {"learningRte": 0.001}}"#.write(to: typo, atomically: true, encoding: .utf8)
    // Status 1: one line. Status 64 (an option value): the message, then the usage lines.
    let cases: [([String], String, Int32)] = [
      (["--hook", "resid_post:1", "--config", typo.path], "did you mean 'learningRate'", 1),
      (["--hook", "resid_post:1", "--arch", "topk", "--topk", "500"], "--topk: must be in 1..<128", 64),
      (["--hook", "resid_post:7"], "layer 7 does not exist", 1),
      (["--hook", "attn_out:0"], "no hook 'blocks.0.hook_attn_out'", 1),
      (["--hook", "resid_post:1", "--batch-size", "1"], "--batch-size: must be at least 2", 64),
    ]
    for (extra, message, status) in cases {
      let result = try runBae(
        [
          "train", "--features", set.path, "--epochs", "1", "--out",
          scratch.appendingPathComponent(UUID().uuidString).path,
        ] + extra)
      #expect(result.status == status, "\(extra)")
      let lines = result.stderr.split(separator: "\n")
      #expect(lines.first?.contains(message) == true, "\(extra): \(result.stderr)")
      if status == 1 { #expect(lines.count == 1, "\(extra): \(result.stderr)") }
    }
  }

  /// Training straight from the model and corpus (rows held in memory, no files) gives exactly
  /// the weights of training on a feature set extracted with the same windows and seed.
  @Test func onlineTrainingEqualsTrainingFromFiles() throws {
    let scratch = try ScratchDirectory("online").url
    let set = scratch.appendingPathComponent("set")
    let extract = try runBae([
      "extract", "--model", Self.model, "--corpus", Self.corpus, "--hooks", "resid_post:1", "--max-tokens", "1500",
      "--context", "64", "--threads", "1", "--out", set.path,
    ])
    #expect(extract.status == 0, "\(extract.stderr)")
    let training = [
      "--hook", "resid_post:1", "--epochs", "3", "--batch-size", "128", "--entropy-weight", "1e-4",
      "--entropy-start-epoch", "1", "--covariance-weight", "1e-5", "--threads", "1", "--out",
    ]
    let files = try runBae(
      ["train", "--features", set.path] + training + [scratch.appendingPathComponent("files").path])
    #expect(files.status == 0, "\(files.stderr)")
    let online = try runBae(
      ["train", "--model", Self.model, "--corpus", Self.corpus, "--max-tokens", "1500", "--context", "64"] + training
        + [scratch.appendingPathComponent("online").path])
    #expect(online.status == 0, "\(online.stderr)")
    let a = try Data(contentsOf: scratch.appendingPathComponent("files/weights.safetensors"))
    let b = try Data(contentsOf: scratch.appendingPathComponent("online/weights.safetensors"))
    #expect(a == b, "online and file-based training differ")
    let missing = try runBae([
      "train", "--model", Self.model, "--corpus", Self.corpus, "--hook", "resid_post:1", "--out",
      scratch.appendingPathComponent("x").path,
    ])
    #expect(missing.status != 0 && missing.stderr.contains("--max-tokens is required"), "\(missing.stderr)")
  }

  /// A real SIGKILL in the middle of training, then `--resume`: the final weights equal those of
  /// an uninterrupted run.
  @Test func killedRunResumesToTheSameWeights() throws {
    let set = try Self.featureSet()
    let scratch = try ScratchDirectory("train-kill").url
    func arguments(_ out: URL) -> [String] {
      [
        "train", "--features", set.path, "--hook", "resid_post:1", "--epochs", "40", "--batch-size", "64",
        "--entropy-weight", "1e-4", "--entropy-start-epoch", "5", "--covariance-weight", "1e-5",
        "--checkpoint-every", "3", "--threads", "1", "--out", out.path,
      ]
    }
    let whole = scratch.appendingPathComponent("whole")
    let uninterrupted = try runBae(arguments(whole))
    #expect(uninterrupted.status == 0, "\(uninterrupted.stderr)")

    let parts = scratch.appendingPathComponent("parts")
    let checkpoint = parts.appendingPathComponent("checkpoint.safetensors")
    _ = try runBaeKilled(arguments(parts)) {
      guard FileManager.default.fileExists(atPath: checkpoint.path) else { return false }
      usleep(20_000)  // somewhere past the first checkpoint, mid-epoch
      return true
    }
    let resumed = try runBae(arguments(parts) + ["--resume"])
    #expect(resumed.status == 0, "\(resumed.stderr)")
    let a = try Data(contentsOf: whole.appendingPathComponent("weights.safetensors"))
    let b = try Data(contentsOf: parts.appendingPathComponent("weights.safetensors"))
    #expect(a == b, "weights after kill -9 and --resume differ from an uninterrupted run")
    let metricsA = try String(contentsOf: whole.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
    let metricsB = try String(contentsOf: parts.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
    #expect(metricsA.split(separator: "\n").count == metricsB.split(separator: "\n").count)
  }
}

extension TrainCommandTests {
  /// SIGINT or SIGTERM mid-training: exit 130/143 with the resume command; the epoch in progress
  /// is dropped, the checkpoint is untouched, and `--resume` ends at the weights of an
  /// uninterrupted run.
  @Test(arguments: [SIGINT, SIGTERM])
  func aSignalStopsTrainingAndResumeFinishesIt(signal: Int32) throws {
    let set = try Self.featureSet()
    let scratch = try ScratchDirectory("train-signal").url
    func arguments(_ out: URL) -> [String] {
      [
        // 80 epochs of ~30 ms: seconds of margin for the signal after the first checkpoint.
        "train", "--features", set.path, "--hook", "resid_post:1", "--epochs", "80", "--batch-size", "64",
        "--covariance-weight", "1e-5", "--checkpoint-every", "3", "--threads", "1", "--out", out.path,
      ]
    }
    let whole = scratch.appendingPathComponent("whole")
    #expect(try runBae(arguments(whole)).status == 0)
    let parts = scratch.appendingPathComponent("parts")
    let checkpoint = parts.appendingPathComponent("checkpoint.safetensors")
    let (stopped, signalled, _) = try runBaeSignalled(arguments(parts), signal: signal) {
      FileManager.default.fileExists(atPath: checkpoint.path)
    }
    guard signalled else {
      Issue.record("training finished before the signal: \(stopped.stderr)")
      return
    }
    #expect(stopped.status == 128 + signal, "\(stopped.stderr)")
    #expect(stopped.stderr.contains("training stopped after"), "\(stopped.stderr)")
    #expect(stopped.stderr.contains("bae train") && stopped.stderr.contains("--resume"), "\(stopped.stderr)")
    let files = try FileManager.default.contentsOfDirectory(atPath: parts.path)
    #expect(!files.contains { AtomicFile.isTemporaryFile($0) }, "\(files)")
    #expect(!files.contains("weights.safetensors"), "a stopped run leaves no final weights: \(files)")
    let resumed = try runBae(arguments(parts) + ["--resume"])
    #expect(resumed.status == 0, "\(resumed.stderr)")
    let a = try Data(contentsOf: whole.appendingPathComponent("weights.safetensors"))
    let b = try Data(contentsOf: parts.appendingPathComponent("weights.safetensors"))
    #expect(a == b, "weights after a signal and --resume differ from an uninterrupted run")
  }

  /// Values the library refuses are usage errors (exit 64) naming the flag, as the parser's are.
  @Test func optionErrorsFoundByTheLibraryExit64() throws {
    let set = try Self.featureSet()
    let out = try ScratchDirectory("train-usage").url
    let topK = try runBae([
      "train", "--features", set.path, "--hook", "resid_post:1", "--arch", "topk", "--topk", "100000",
      "--epochs", "1", "--out", out.appendingPathComponent("a").path,
    ])
    #expect(topK.status == 64, "\(topK.stderr)")
    #expect(topK.stderr.contains("--topk"), "\(topK.stderr)")
    let split = try runBae([
      "train", "--features", set.path, "--hook", "resid_post:1", "--split", "1.5", "--epochs", "1",
      "--out", out.appendingPathComponent("b").path,
    ])
    #expect(split.status == 64, "\(split.stderr)")
    #expect(split.stderr.contains("--split"), "\(split.stderr)")
  }

  /// `--token-budget` sets the epochs from the training rows, and the schedule flags reach the
  /// recorded options.
  @Test func tokenBudgetAndScheduleFlags() throws {
    let set = try Self.featureSet()
    let out = try ScratchDirectory("train-budget").url
    let result = try runBae([
      "train", "--features", set.path, "--hook", "resid_post:1", "--token-budget", "4000", "--batch-size", "256",
      "--lr-decay-epochs", "2", "--final-lr-fraction", "0.1", "--entropy-weight", "1e-4", "--entropy-start-epoch", "0",
      "--entropy-warmup-epochs", "2", "--covariance-warmup-epochs", "3", "--threads", "1", "--out", out.path,
    ])
    #expect(result.status == 0, "\(result.stderr)")
    // 2000 rows, 1600 of them training: ⌈4000 / 1600⌉ = 3 epochs.
    let metrics = try String(contentsOf: out.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
    #expect(metrics.split(separator: "\n").count == 3)
    let config = try String(contentsOf: out.appendingPathComponent("config.json"), encoding: .utf8)
    for field in [
      "\"epochs\" : 3", "\"learningRateDecayEpochs\" : 2", "\"finalLearningRateFraction\" : 0.1",
      "\"entropyWarmupEpochs\" : 2", "\"covarianceWarmupEpochs\" : 3",
    ] {
      #expect(config.contains(field), "config.json lacks \(field)")
    }
    let both = try runBae([
      "train", "--features", set.path, "--hook", "resid_post:1", "--token-budget", "10", "--epochs", "2", "--out",
      out.path + "-x",
    ])
    #expect(both.status != 0 && both.stderr.contains("--token-budget"))
  }
}
