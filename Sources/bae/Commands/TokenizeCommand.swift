import ArgumentParser
import Foundation
import Tokenizers

/// `bae tokenize`: show how the model's tokenizer splits a text.
struct TokenizeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tokenize",
    abstract: "Print the token ids and token strings the model's tokenizer gives for a text.")

  @Option(name: .long, help: ArgumentHelp("Model whose tokenizer to use (default: the default model).", valueName: "path"))
  var model: String?

  @Option(name: .long, help: "Text to tokenize.")
  var text: String?

  @Option(name: .long, help: "Read the text from a file.")
  var file: String?

  @Flag(name: .long, help: "Print only the comma-separated ids.")
  var idsOnly = false

  func validate() throws {
    if (text == nil) == (file == nil) { throw ValidationError("give exactly one of --text or --file") }
  }

  func run() throws {
    let url = try model.map { URL(fileURLWithPath: $0) } ?? DefaultModel.locate()
    let input = try readText(text: text, file: file)
    let tokenizer = try reportingErrors { try TokenizerLoader.load(modelPath: url) }
    let encoding = try reportingErrors { try tokenizer.encode(input) }
    if idsOnly {
      print(encoding.ids.map(String.init).joined(separator: ","))
      return
    }
    let bytes = Array(input.utf8)
    print("\(encoding.ids.count) tokens")
    for (i, id) in encoding.ids.enumerated() {
      let range = encoding.offsets[i]
      let piece = String(decoding: bytes[range.clamped(to: 0..<bytes.count)], as: UTF8.self)
      let raw = tokenizer.tokenString(for: id) ?? "?"
      print("\(i)\t\(id)\t\(raw.debugDescription)\t\(piece.debugDescription)\t\(range.lowerBound)..<\(range.upperBound)")
    }
  }
}
