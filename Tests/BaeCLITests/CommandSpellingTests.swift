import Checkpoints
import Foundation
import TestSupport
import Testing

/// `--model` works for every command that reads a model; older spellings (`bae inspect PATH`,
/// `bae convert PATH`, `bae forward --prompt-file`) still do.
@Suite struct CommandSpellingTests {
  let tiny = Fixtures.model("tiny-tied-mqa").path
  let withTokenizer = Fixtures.model("tiny-extract").path

  @Test func inspectTakesModelOptionOrPositional() throws {
    let option = try runBae(["inspect", "--model", tiny])
    let positional = try runBae(["inspect", tiny])
    #expect(option.status == 0, "\(option.stderr)")
    #expect(option.stdout.contains("2 layers, d=64"))
    #expect(positional.stdout == option.stdout)
    let both = try runBae(["inspect", "--model", tiny, tiny])
    #expect(both.status != 0)
    #expect(both.stderr.contains("give the model once"))
  }

  @Test func tokenizeReadsTextOrFile() throws {
    let scratch = try ScratchDirectory()
    let file = try scratch.write("prompt.txt", "Hello world")
    let fromText = try runBae(["tokenize", "--model", withTokenizer, "--text", "Hello world", "--ids-only"])
    let fromFile = try runBae(["tokenize", "--model", withTokenizer, "--file", file, "--ids-only"])
    #expect(fromText.status == 0, "\(fromText.stderr)")
    #expect(!fromText.stdout.isEmpty)
    #expect(fromFile.stdout == fromText.stdout)
    let neither = try runBae(["tokenize", "--model", withTokenizer])
    #expect(neither.status != 0 && neither.stderr.contains("--text or --file"))
    let both = try runBae(["tokenize", "--model", withTokenizer, "--text", "a", "--file", file])
    #expect(both.status != 0 && both.stderr.contains("not both"))
  }

  @Test func forwardKeepsPromptFileAsAliasOfFile() throws {
    let scratch = try ScratchDirectory()
    let prompt = try scratch.write("prompt.txt", "Once upon a time")
    for (flag, out) in [("--file", "a"), ("--prompt-file", "b")] {
      let result = try runBae([
        "forward", "--model", withTokenizer, flag, prompt, "--hooks", "logits", "--out", scratch.path(out),
      ])
      #expect(result.status == 0, "\(flag): \(result.stderr)")
    }
    let a = try SafetensorsFile(scratch.url("a/activations.safetensors"))
    let b = try SafetensorsFile(scratch.url("b/activations.safetensors"))
    #expect(try a.int32s("token_ids") == b.int32s("token_ids"))
    #expect(try a.floats("logits") == b.floats("logits"))
    let conflicting = try runBae([
      "forward", "--model", withTokenizer, "--text", "x", "--tokens", "1", "--out", scratch.path("c"),
    ])
    #expect(conflicting.status != 0 && conflicting.stderr.contains("exactly one of --text, --file or --tokens"))
  }

  @Test func convertTakesModelOptionOrPositional() throws {
    let scratch = try ScratchDirectory()
    for (arguments, out) in [(["--model", tiny], "option"), ([tiny], "positional")] {
      let result = try runBae(["convert"] + arguments + ["--to", scratch.path(out)])
      #expect(result.status == 0, "\(arguments): \(result.stderr)")
      #expect(FileManager.default.fileExists(atPath: scratch.path("\(out)/config.json")))
      #expect(FileManager.default.fileExists(atPath: scratch.path("\(out)/model.safetensors")))
    }
    #expect(
      try Data(contentsOf: scratch.url("option/config.json")) == Data(contentsOf: scratch.url("positional/config.json"))
    )
  }

  @Test func badEnvironmentModelIsReported() throws {
    let scratch = try ScratchDirectory()
    let result = try runBae(["inspect"], environment: ["BAE_MODEL": scratch.path("nothing-here")])
    #expect(result.status != 0)
    #expect(result.stderr.contains("not a model: no such file or directory"), "\(result.stderr)")
  }

  /// A copy of `bae` outside any checkout, run from an empty directory, finds no default model.
  @Test func missingDefaultModelNamesTheFlag() throws {
    let scratch = try ScratchDirectory()
    let copy = try scratch.copy(baeExecutable, to: "bin/bae")
    let process = Process()
    process.executableURL = copy
    process.arguments = ["inspect"]
    process.currentDirectoryURL = scratch.url
    var environment = ProcessInfo.processInfo.environment
    environment["BAE_MODEL"] = ""
    process.environment = environment
    let errors = Pipe()
    process.standardOutput = FileHandle.nullDevice
    process.standardError = errors
    try process.run()
    let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus != 0)
    #expect(stderr.split(separator: "\n").count == 1, "\(stderr)")
    #expect(stderr.contains("no --model given and the default model is not installed"), "\(stderr)")
  }
}
