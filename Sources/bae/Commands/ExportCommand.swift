import ArgumentParser
import Autoencoders
import Foundation

/// `bae export`: an autoencoder directory → a SAELens folder.
struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Write an autoencoder as a SAELens folder (cfg.json and sae_weights.safetensors).",
    discussion: """
      W_enc [d_in, d_sae], b_enc [d_sae], W_dec [d_sae, d_in], b_dec [d_in] (and
      threshold [d_sae] for JumpReLU), F32, with apply_b_dec_to_input false. ReLU
      and transcoders become "standard", TopK "topk", JumpReLU "jumprelu"; a BAE is
      "bae" (run it with scripts/sae_from_bae.py). BatchTopK has no SAELens form.
      """)

  @OptionGroup var autoencoder: AutoencoderArguments

  @Option(name: .long, help: ArgumentHelp("Output folder.", valueName: "dir"))
  var to: String

  @Option(name: .long, help: "hook_name to record (default: the autoencoder's input hook).")
  var hook: String?

  @Option(name: .long, help: "model_name to record (default: the autoencoder's model).")
  var modelName: String?

  func run() throws {
    let ae = try autoencoder.load()
    let output = URL(fileURLWithPath: to)
    for name in [SAELensLayout.configName, SAELensLayout.weightsName]
    where FileManager.default.fileExists(atPath: output.appendingPathComponent(name).path) {
      throw CommandError("\(output.path) already holds \(name); choose another --to or remove it")
    }
    try reportingErrors { try SAELensExport.write(ae, to: output, hookName: hook, modelName: modelName) }
    let c = ae.configuration
    let name = SAELensLayout.architectureName(for: c.architecture) ?? c.architecture.rawValue
    let hookName = hook ?? c.inputHook ?? "none"
    print(
      "exported a \(c.architecture.rawValue) autoencoder (d_in \(c.inputWidth), d_sae \(c.codeWidth), hook \(hookName)) as SAELens architecture \(name) to \(output.path)"
    )
  }
}
