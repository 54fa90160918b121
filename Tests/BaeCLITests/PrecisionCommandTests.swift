import Checkpoints
import Foundation
import TestSupport
import Testing

/// `--precision bf16` end to end: forward writes bf16-path activations close to f32, bench and
/// inspect name the kernels, and a bad value is one clear error line.
@Suite struct PrecisionCommandTests {
  @Test func forwardInBFloat16StaysCloseToFloat32() throws {
    let scratch = try ScratchDirectory()
    let model = Fixtures.model("tiny-llama3-gqa").path
    var files: [String: SafetensorsFile] = [:]
    for precision in ["f32", "bf16"] {
      let result = try runBae([
        "forward", "--model", model, "--tokens", "5,6,7,8,9,10", "--hooks", "resid_post:2", "--precision", precision,
        "--out", scratch.path(precision),
      ])
      #expect(result.status == 0, "stderr: \(result.stderr)")
      files[precision] = try SafetensorsFile(scratch.url(precision).appendingPathComponent("activations.safetensors"))
    }
    #expect(files["bf16"]?.metadata["precision"] == "bf16")
    let a = try #require(files["bf16"]).floats("blocks.2.hook_resid_post")
    let b = try #require(files["f32"]).floats("blocks.2.hook_resid_post")
    #expect(a != b, "bf16 gave exactly the f32 values")
    // Same bound as BFloat16ForwardTests, here over the whole tensor.
    let diff = zip(a, b).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +).squareRoot()
    let norm = b.map { Double($0) * Double($0) }.reduce(0, +).squareRoot()
    #expect(diff / norm <= 0.06, "relative L2 error \(diff / norm)")
  }

  @Test func benchAndInspectNameTheKernels() throws {
    let model = Fixtures.model("tiny-llama3-gqa").path
    let bench = try runBae([
      "bench", "--model", model, "--precision", "bf16", "--sequence-length", "16", "--iterations", "1", "--threads", "1",
    ])
    #expect(bench.status == 0, "stderr: \(bench.stderr)")
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(bench.stdout.utf8)) as? [String: Any], "\(bench.stdout)")
    #expect(json["precision"] as? String == "bf16")
    // 16 rows per worker: below the automatic rule's row limit, so oneDNN.
    #expect((json["kernel"] as? String)?.hasPrefix("onednn:") == true, "\(json)")
    #expect((json["gflops"] as? Double ?? 0) > 0)
    #expect(json["cpu_features"] is [String])
    let widened = try runBae([
      "bench", "--model", model, "--precision", "bf16", "--bf16-kernel", "sgemm", "--sequence-length", "16",
      "--iterations", "1", "--threads", "1",
    ])
    #expect(widened.status == 0, "stderr: \(widened.stderr)")
    #expect(widened.stdout.contains("\"kernel\":\"sgemm:"), "\(widened.stdout)")
    let inspect = try runBae(["inspect", "--model", model])
    #expect(inspect.stdout.contains("bf16 products: "), "\(inspect.stdout)")
    #expect(inspect.stdout.contains("onednn:"), "\(inspect.stdout)")
  }

  /// `bae extract --precision bf16 --bf16-kernel K` records the kernel in the manifest's context
  /// (f32 records `auto` whatever the flag says); `--resume` without the flags reuses it, and
  /// `--precision bf16` alone (the `auto` kernel) is refused as another context.
  @Test func extractRecordsTheBFloat16Kernel() throws {
    let scratch = try ScratchDirectory()
    let model = Fixtures.model("tiny-extract").path
    let corpus = repositoryRoot.appendingPathComponent("corpora/pile-sample.jsonl.zst").path
    func compute(_ name: String) throws -> [String: Any] {
      let data = try Data(contentsOf: scratch.url(name).appendingPathComponent("manifest.json"))
      let manifest = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
      return try #require(manifest["compute"] as? [String: Any], "\(manifest.keys)")
    }
    for (name, precision, kernel, recorded) in [
      ("bf16-sgemm", "bf16", "sgemm", "sgemm"), ("bf16-onednn", "bf16", "onednn", "onednn"),
      ("f32", "f32", "sgemm", "auto"),
    ] {
      let arguments = [
        "extract", "--model", model, "--corpus", corpus, "--hooks", "resid_post:1", "--max-tokens", "300",
        "--out", scratch.path(name),
      ]
      let first = try runBae(arguments + ["--threads", "2", "--precision", precision, "--bf16-kernel", kernel])
      #expect(first.status == 0, "stderr: \(first.stderr)")
      let recordedFirst = try compute(name)
      #expect(recordedFirst["bf16_kernel"] as? String == recorded, "\(name): \(recordedFirst)")
      let resumed = try runBae(arguments + ["--resume"])
      #expect(resumed.status == 0, "\(name) resume stderr: \(resumed.stderr)")
      #expect(try compute(name)["bf16_kernel"] as? String == recorded)
      #expect(try compute(name)["precision"] as? String == precision)
      if precision == "bf16" && kernel != "auto" {
        let other = try runBae(arguments + ["--resume", "--threads", "2", "--precision", "bf16"])
        #expect(other.status != 0 && other.stderr.contains("bf16 kernel"), "\(other.stderr)")
      }
    }
  }

  @Test func anUnknownPrecisionIsOneLine() throws {
    let result = try runBae([
      "bench", "--model", Fixtures.model("tiny-llama3-gqa").path, "--precision", "f16",
    ])
    #expect(result.status != 0)
    #expect(result.stderr.contains("--precision"), "\(result.stderr)")
  }
}
