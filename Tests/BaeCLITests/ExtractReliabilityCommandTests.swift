import Checkpoints
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `bae extract` and `bae features` on damaged sets and bad option values (issue 14): usage
/// errors exit 64, a damaged set is never called complete.
@Suite struct ExtractReliabilityCommandTests {
  let model = Fixtures.model("tiny-extract").path
  let corpus = repositoryRoot.appendingPathComponent("corpora/pile-sample.jsonl.zst").path

  func extract(_ out: String, _ extra: [String] = []) throws -> CommandResult {
    try runBae(
      [
        "extract", "--model", model, "--corpus", corpus, "--hooks", "resid_post:1", "--max-tokens", "1500",
        "--context", "128", "--batch-tokens", "512", "--shard-tokens", "500", "--threads", "1", "--out", out,
      ] + extra)
  }

  @Test func infoDoesNotCallADamagedSetComplete() throws {
    let out = try ScratchDirectory("cli").url.appendingPathComponent("set")
    #expect(try extract(out.path).status == 0)
    let intact = try runBae(["features", "info", out.path])
    #expect(intact.status == 0 && intact.stdout.contains("(complete"), "\(intact.stdout)")
    let shard = out.appendingPathComponent("shard-00001.safetensors")
    let data = try Data(contentsOf: shard)
    try data.prefix(data.count - 8).write(to: shard)
    let damaged = try runBae(["features", "info", out.path])
    #expect(!damaged.stdout.contains("complete"), "\(damaged.stdout)")
    #expect((damaged.stdout + damaged.stderr).contains("shard-00001"), "\(damaged.stdout)\(damaged.stderr)")
    #expect(damaged.status == 1)
  }

  @Test func emptyOutIsAUsageError() throws {
    let directory = try ScratchDirectory("cli").url
    let result = try runBae(
      ["extract", "--model", model, "--corpus", corpus, "--hooks", "resid_post:1", "--max-tokens", "10", "--out", ""],
      directory: directory)
    #expect(result.status == 64, "\(result.stderr)")
    #expect(result.stderr.contains("--out"), "\(result.stderr)")
    #expect((try FileManager.default.contentsOfDirectory(atPath: directory.path)).isEmpty)
  }

  /// Item 13, at the CLI's root: whatever a library message holds, what reaches the terminal is
  /// bounded and has no control character (here a path with a terminal escape and 5,000 bytes,
  /// in commands whose library errors do not escape it themselves).
  @Test(arguments: ["train", "eval"])
  func messagesReachTheTerminalEscaped(command: String) throws {
    let scratch = try ScratchDirectory("cli-escape").url
    let hostile = scratch.appendingPathComponent("set\u{1B}[2J" + String(repeating: "x", count: 200))
    let arguments =
      command == "train"
      ? ["train", "--features", hostile.path, "--hook", "resid_post:1", "--out", scratch.path + "/out"]
      : ["eval", hostile.path, "--features", hostile.path]
    let result = try runBae(arguments)
    #expect(result.status == 1, "\(result.stderr)")
    #expect(!result.stderr.unicodeScalars.contains { $0.value == 0x1B }, "\(result.stderr)")
    #expect(result.stderr.contains("\\u{1B}"), "\(result.stderr)")
    #expect(result.stderr.utf8.count < 4096)
  }

  /// Bad option values exit 64 (EX_USAGE) whether the parser or the library finds them.
  @Test(arguments: [
    ["--batch-tokens", "0"], ["--context", "1", "--bos", "on"], ["--threads", "100000"], ["--sample-rate", "2"],
  ])
  func badOptionValuesExit64(extra: [String]) throws {
    let out = try ScratchDirectory("cli").url.appendingPathComponent("set")
    let result = try runBae(
      ["extract", "--model", model, "--corpus", corpus, "--hooks", "resid_post:1", "--out", out.path] + extra)
    #expect(result.status == 64, "\(extra): \(result.stderr)")
    #expect(!FileManager.default.fileExists(atPath: out.path))
  }

  /// Item 12: SIGINT or SIGTERM stops after the current batch with status 130 or 143, no
  /// temporary file, a manifest of the complete shards, and a message with the resume command.
  @Test(arguments: [SIGINT, SIGTERM])
  func aSignalStopsCleanlyAndSaysHowToResume(signal: Int32) throws {
    let out = try ScratchDirectory("signal").url.appendingPathComponent("set")
    let arguments = [
      "extract", "--model", model, "--corpus", corpus, "--hooks", "resid_post:all", "--context", "128",
      "--batch-tokens", "256", "--shard-tokens", "256", "--threads", "1", "--out", out.path,
    ]
    let manifest = out.appendingPathComponent("manifest.json")
    let (result, signalled, _) = try runBaeSignalled(arguments, signal: signal) {
      FileManager.default.fileExists(atPath: manifest.path)
    }
    guard signalled else {
      Issue.record("bae finished before the signal: \(result.stderr)")
      return
    }
    #expect(result.status == 128 + signal, "\(result.stderr)")
    #expect(result.stderr.contains("interrupted") && result.stderr.contains("--resume"), "\(result.stderr)")
    let files = try FileManager.default.contentsOfDirectory(atPath: out.path)
    #expect(!files.contains { AtomicFile.isTemporaryFile($0) }, "\(files)")
    #expect(result.stderr.contains("bae extract") && result.stderr.contains("--out \(out.path)"), "\(result.stderr)")
    let verify = try runBae(["features", "verify", out.path])
    #expect(verify.status == 0, "\(verify.stderr)")
  }
}
