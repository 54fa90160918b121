import ArgumentParser
import Autoencoders
import Foundation

/// `bae import`: a SAELens folder → an autoencoder directory.
struct ImportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Read a SAELens folder (standard, topk, jumprelu or bae) into a bae autoencoder directory.",
    discussion: """
      Folders written by bae export come back exactly. For SAELens's own files,
      apply_b_dec_to_input is folded into b_enc; other input normalisations, gated
      SAEs and transcoders with a skip are refused.
      """)

  @Option(name: .long, help: ArgumentHelp("SAELens folder (cfg.json and sae_weights.safetensors).", valueName: "dir"))
  var from: String

  @Option(name: .long, help: ArgumentHelp("Autoencoder directory to write.", valueName: "dir"))
  var to: String

  func run() throws {
    let output = URL(fileURLWithPath: to)
    let config = output.appendingPathComponent(AutoencoderFiles.configName)
    guard !FileManager.default.fileExists(atPath: config.path) else {
      throw CommandError(
        "\(output.path) already holds an autoencoder (\(AutoencoderFiles.configName)); choose another --to or remove it"
      )
    }
    let ae = try reportingErrors { try SAELensImport.read(from: URL(fileURLWithPath: from)) }
    try reportingErrors { try AutoencoderFiles.save(ae, training: nil, to: output) }
    let c = ae.configuration
    print(
      "imported a \(c.architecture.rawValue) autoencoder (d_in \(c.inputWidth), d_sae \(c.codeWidth), hook \(c.inputHook ?? "none")) to \(output.path)"
    )
  }
}
