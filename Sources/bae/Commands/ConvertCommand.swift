import ArgumentParser
import Foundation
import Models
import TensorCore
import Tokenizers

/// `bae convert [--model MODEL] --to DIR`: write a Hugging Face directory from anything bae loads.
struct ConvertCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "convert",
    abstract: "Write a Hugging Face model directory (config.json, model.safetensors) from a GGUF or HF model.",
    discussion: "Quantized GGUF weights are dequantized; the result loads in transformers and in bae.")

  @OptionGroup var modelPath: ModelPathArguments

  @Argument(help: ArgumentHelp("The model, as --model (the older spelling).", visibility: .hidden))
  var model: String?

  @Option(name: .long, help: "Output directory.")
  var to: String

  @Option(name: .long, help: "Stored precision: f32, bf16 or f16.")
  var dtype = "f32"

  func validate() throws {
    guard ["f32", "bf16", "f16"].contains(dtype) else { throw ValidationError("--dtype must be f32, bf16 or f16") }
    if model != nil && modelPath.model != nil { throw ValidationError("give the model once, as --model") }
  }

  func run() throws {
    let location = try modelPath.resolvedLocation(positional: model)
    let loaded = try reportingErrors { try LlamaModel.load(from: location) }
    let stored: DType = dtype == "bf16" ? .bfloat16 : dtype == "f16" ? .float16 : .float32
    let out = URL(fileURLWithPath: to)
    try reportingErrors { try loaded.exportHuggingFace(to: out, dtype: stored) }
    let tokenizerFiles = try reportingErrors { try TokenizerLoader.exportHuggingFaceFiles(model: location, to: out) }
    let files = ["config.json", "model.safetensors (\(dtype))"] + tokenizerFiles
    print("wrote \(out.path): \(files.joined(separator: ", "))")
  }
}
