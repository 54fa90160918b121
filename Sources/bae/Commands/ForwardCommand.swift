import ArgumentParser
import Checkpoints
import Foundation
import HookPoints
import Models
import TensorCore
import Tokenizers

/// `bae forward`: run one prompt and write the activations of the requested hooks.
struct ForwardCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "forward",
    abstract: "Run the model on one prompt and save the activations at the named hooks.",
    discussion: """
      Writes OUT/activations.safetensors with one f32 tensor [tokens, width] per hook, named as \
      the hook (e.g. blocks.3.hook_resid_post), plus token_ids [tokens] int32, and metadata \
      (model, hooks, layer_count). Hook lists accept full names and shorthands: \
      resid_pre, attn_out, resid_mid, mlp_in, mlp_out, resid_post followed by :all or :L,L,a-b; \
      ln_final.hook_normalized; logits.
      """)

  @OptionGroup var modelArguments: ModelArguments

  @OptionGroup var precisionArguments: PrecisionArguments

  @OptionGroup var input: TextInputArguments

  @Option(name: .long, help: "Comma-separated token ids to run (instead of text).")
  var tokens: String?

  @Option(name: .long, help: "Hooks to record.")
  var hooks: String = "resid_post:all"

  @Option(name: .long, help: "Output directory.")
  var out: String

  func validate() throws {
    if input.isGiven == (tokens != nil) { throw ValidationError("give exactly one of --text, --file or --tokens") }
  }

  func run() throws {
    let location = try modelArguments.resolvedLocation()
    let context = precisionArguments.context(modelArguments)
    let model = try reportingErrors { try LlamaModel.load(from: location, precision: context.precision) }
    let ids: [Int32]
    if let tokens {
      ids = try parseTokenList(tokens)
    } else {
      let text = try input.readText()
      let tokenizer = try reportingErrors { try TokenizerLoader.load(model: location) }
      ids = try reportingErrors { try tokenizer.encodeIDs(text) }
      guard !ids.isEmpty else { throw CommandError("the text gives no tokens") }
    }
    let points = try reportingErrors { try HookPoint.parseList(hooks, layerCount: model.configuration.layerCount) }
    var recorder = ActivationRecorder(points)
    let warning = try reportingErrors {
      try model.forward(
        batch: [ids], state: LlamaRunState(configuration: model.configuration), hooks: &recorder,
        context: context)
    }
    if let warning { FileHandle.standardError.write(Data("\(warning)\n".utf8)) }
    let outURL = URL(fileURLWithPath: out)
    let file = outURL.appendingPathComponent("activations.safetensors")
    var writer = SafetensorsWriter(metadata: [
      "model": location.requestedURL.path, "hooks": points.map(\.name).joined(separator: ","),
      "layer_count": String(model.configuration.layerCount), "tokens": String(ids.count), "generator": "bae forward",
      "precision": context.precision.rawValue,
    ])
    writer.add("token_ids", int32s: ids, shape: [ids.count])
    for point in points {
      guard let values = recorder.values[point], let width = recorder.widths[point] else { continue }
      writer.add(point.name, floats: values, shape: [ids.count, width])
    }
    try reportingErrors {
      do {
        try FileManager.default.createDirectory(at: outURL, withIntermediateDirectories: true)
      } catch {
        throw CheckpointError.writeFailed(file: outURL, reason: error.localizedDescription)
      }
      try writer.write(to: file)
    }
    print("wrote \(file.path): \(points.count) hooks × \(ids.count) tokens")
  }
}

/// Parses `1,2,3` into token ids.
func parseTokenList(_ text: String) throws -> [Int32] {
  var ids: [Int32] = []
  for part in text.split(separator: ",") {
    guard let id = Int32(part.trimmingCharacters(in: .whitespaces)) else {
      throw CommandError("--tokens: '\(part)' is not a token id")
    }
    ids.append(id)
  }
  guard !ids.isEmpty else { throw CommandError("--tokens: no token ids given") }
  return ids
}
