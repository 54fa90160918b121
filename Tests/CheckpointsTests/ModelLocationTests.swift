import Checkpoints
import Foundation
import TestSupport
import Testing

/// `ModelLocation` classifies model paths and finds the default model.
@Suite struct ModelLocationTests {
  /// A directory with the named (empty) files; classification never reads them.
  func directory(_ files: [String]) throws -> URL {
    let scratch = try ScratchDirectory("model")
    for name in files { try scratch.write(name, "") }
    return scratch.url
  }

  @Test func classifiesFilesAndDirectories() throws {
    let hf = try directory(["config.json", "model.safetensors", "tokenizer.json"])
    #expect(try ModelLocation(classifying: hf).kind == .huggingFaceDirectory)
    #expect(try ModelLocation(classifying: hf).url == hf)

    let sharded = try directory(["config.json", "model.safetensors.index.json"])
    #expect(try ModelLocation(classifying: sharded).kind == .huggingFaceDirectory)

    let holder = try directory(["Model.Q4_1.gguf", "README.md"])
    let location = try ModelLocation(classifying: holder)
    #expect(location.kind == .ggufFile)
    #expect(location.url == holder.appendingPathComponent("Model.Q4_1.gguf"))
    #expect(location.requestedURL == holder)

    let file = holder.appendingPathComponent("Model.Q4_1.gguf")
    let direct = try ModelLocation(classifying: file)
    #expect(direct.kind == .ggufFile && direct.url == file && direct.requestedURL == file)

    // A config.json next to a GGUF but no safetensors weights: the GGUF is the model.
    let ggufWithConfig = try directory(["config.json", "m.gguf"])
    #expect(try ModelLocation(classifying: ggufWithConfig).kind == .ggufFile)
    // With no GGUF to fall back on, config.json alone still reads as Hugging Face (the loader
    // then names the missing weights file).
    #expect(try ModelLocation(classifying: try directory(["config.json"])).kind == .huggingFaceDirectory)
  }

  @Test func rejectsWhatIsNotAModel() throws {
    let missing = URL(fileURLWithPath: "/nonexistent/model")
    #expect(throws: CheckpointError.notAModel(path: missing, detail: "no such file or directory")) {
      try ModelLocation(classifying: missing)
    }
    let text = try ScratchDirectory().write("notes.txt", "hi")
    #expect(throws: CheckpointError.self) { try ModelLocation(classifying: URL(fileURLWithPath: text)) }
    let empty = try directory([])
    #expect(
      throws: CheckpointError.notAModel(path: empty, detail: "directory has neither config.json nor a .gguf file")
    ) {
      try ModelLocation(classifying: empty)
    }
    let two = try directory(["b.gguf", "a.gguf"])
    do {
      _ = try ModelLocation(classifying: two)
      Issue.record("a directory with two GGUF files was accepted")
    } catch {
      #expect(error.description.contains("a.gguf, b.gguf"))
    }
  }

  @Test func resolvesPathThenEnvironmentThenSearchRoots() throws {
    let named = try directory(["n.gguf"])
    let fromEnvironment = try directory(["e.gguf"])
    let root = try ScratchDirectory("root")
    try root.write("models/\(ModelLocation.defaultModelDirectoryName)/d.gguf", "")
    let otherRoot = try ScratchDirectory("other").url
    let environment = [ModelLocation.environmentVariable: fromEnvironment.path]

    #expect(
      try ModelLocation.resolve(named.path, environment: environment, searchRoots: [root.url]).requestedURL.path
        == named.path)
    #expect(
      try ModelLocation.resolve(nil, environment: environment, searchRoots: [root.url]).requestedURL.path
        == fromEnvironment.path)
    #expect(
      try ModelLocation.resolve("", environment: environment, searchRoots: [root.url]).requestedURL.path
        == fromEnvironment.path)
    let found = try ModelLocation.resolve(
      nil, environment: [ModelLocation.environmentVariable: ""], searchRoots: [otherRoot, root.url])
    #expect(found.url.lastPathComponent == "d.gguf")
    #expect(found.requestedURL.path == root.path("models/\(ModelLocation.defaultModelDirectoryName)"))
  }

  @Test func missingDefaultModelSaysWhereItLooked() throws {
    let root = try ScratchDirectory().url
    let expected = root.appendingPathComponent("models").appendingPathComponent(ModelLocation.defaultModelDirectoryName)
    #expect(throws: CheckpointError.defaultModelMissing(searched: [expected])) {
      try ModelLocation.resolve(nil, environment: [:], searchRoots: [root])
    }
    let message = CheckpointError.defaultModelMissing(searched: [expected]).description
    #expect(message.contains("make setup"))
    #expect(!message.contains("--model"))
  }
}
