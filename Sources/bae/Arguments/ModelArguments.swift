import ArgumentParser
import Foundation
import TensorCore

/// `--model` and `--threads`, shared by every command that runs a model.
struct ModelArguments: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "Hugging Face model directory, .gguf file, or directory holding one (default: $BAE_MODEL, else models/\(DefaultModel.directoryName)).",
      valueName: "path"))
  var model: String?

  @Option(name: .long, help: "Threads for matrix products (default: all cores).")
  var threads: Int?

  func validate() throws {
    if let threads {
      guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
      do {
        try ComputeContext(threads: threads).validate()
      } catch {
        throw ValidationError("--threads: \(error)")
      }
    }
  }

  /// The compute context the flags ask for (every core unless `--threads`).
  var context: ComputeContext { threads.map { ComputeContext(threads: $0) } ?? ComputeContext() }

  /// The context asked for explicitly, or `nil` to let the library choose (e.g. a resumed
  /// extraction reuses its recorded one).
  var explicitContext: ComputeContext? { threads.map { ComputeContext(threads: $0) } }

  /// The model path the user asked for, or the default model.
  func resolvedModelURL() throws -> URL {
    if let model { return URL(fileURLWithPath: model) }
    return try DefaultModel.locate()
  }
}

/// Where the default model (SmolLM2-135M-Instruct) lives after `make setup`.
enum DefaultModel {
  static let directoryName = "smollm2-135m-instruct"

  /// `$BAE_MODEL`, else `./models/<name>`, else `models/<name>` next to the `bae` checkout the
  /// executable was built in.
  static func locate() throws -> URL {
    if let env = ProcessInfo.processInfo.environment["BAE_MODEL"], !env.isEmpty {
      return URL(fileURLWithPath: env)
    }
    var candidates = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
    var executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    for _ in 0..<6 {
      executable.deleteLastPathComponent()
      candidates.append(executable)
    }
    for root in candidates {
      let url = root.appendingPathComponent("models").appendingPathComponent(directoryName)
      if FileManager.default.fileExists(atPath: url.path) { return url }
    }
    throw CommandError(
      "no --model given and the default model is not installed; run `make setup` (or `scripts/fetch_model.sh`) or pass --model PATH")
  }
}
