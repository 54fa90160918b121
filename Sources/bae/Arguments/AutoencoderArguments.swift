import ArgumentParser
import Autoencoders
import Foundation
import TensorCore

/// `--ae`, shared by every command that applies a trained autoencoder.
struct AutoencoderArguments: ParsableArguments {
  @Option(
    name: .long, help: ArgumentHelp("Autoencoder directory (config.json and weights.safetensors).", valueName: "dir"))
  var ae: String

  /// The autoencoder in `--ae`.
  func load() throws -> Autoencoder {
    try reportingErrors { try AutoencoderFiles.load(from: URL(fileURLWithPath: ae)).0 }
  }
}

/// `--threads` and `--batch-size`, shared by the commands that run an autoencoder over rows.
struct ComputeArguments: ParsableArguments {
  @Option(name: .long, help: "Threads for matrix products (default: all cores).")
  var threads: Int?

  @Option(name: .long, help: "Rows encoded or decoded at a time.")
  var batchSize = 4096

  func validate() throws {
    guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
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
}
