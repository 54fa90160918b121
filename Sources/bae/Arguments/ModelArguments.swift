import ArgumentParser
import Checkpoints
import Foundation
import TensorCore

/// `--model`, shared by every command that reads a model.
struct ModelPathArguments: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "Hugging Face model directory, .gguf file, or directory holding one (default: $\(ModelLocation.environmentVariable), else models/\(ModelLocation.defaultModelDirectoryName)).",
      valueName: "path"))
  var model: String?

  /// The model named by `--model` (or by `positional`, an older spelling some commands keep),
  /// else `$BAE_MODEL`, else the default model in `./models/` or in the checkout the executable
  /// was built in.
  func resolvedLocation(positional: String? = nil) throws -> ModelLocation {
    do {
      return try ModelLocation.resolve(model ?? positional, searchRoots: Self.searchRoots)
    } catch .defaultModelMissing {
      throw CommandError(
        "no --model given and the default model is not installed; run `make setup` (or `scripts/fetch_model.sh`) or pass --model PATH"
      )
    } catch {
      throw CommandError(error.description)
    }
  }

  /// The current directory, then the executable's ancestors (`.build/<config>/bae` sits a few
  /// levels below the checkout).
  static var searchRoots: [URL] {
    var roots = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
    var executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    for _ in 0..<6 {
      executable.deleteLastPathComponent()
      roots.append(executable)
    }
    return roots
  }
}

/// `--model` and `--threads`, shared by every command that runs a model.
struct ModelArguments: ParsableArguments {
  @OptionGroup var path: ModelPathArguments

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

  /// The model path as given (`--model`, `$BAE_MODEL`) or found (the default model's directory).
  var model: String? { path.model }

  /// The model to run (see ``ModelPathArguments/resolvedLocation(positional:)``).
  func resolvedLocation() throws -> ModelLocation { try path.resolvedLocation() }
}
