import ArgumentParser
import Foundation
import Tokenizers

/// `bae tokenize`: show how the model's tokenizer splits a text.
struct TokenizeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tokenize",
    abstract: "Print the token ids and token strings the model's tokenizer gives for a text.")

  @OptionGroup var modelPath: ModelPathArguments

  @OptionGroup var input: TextInputArguments

  @Flag(name: .long, help: "Print only the comma-separated ids.")
  var idsOnly = false

  func validate() throws {
    if !input.isGiven { throw ValidationError("give exactly one of --text or --file") }
  }

  func run() throws {
    let location = try modelPath.resolvedLocation()
    let text = try input.readText()
    let tokenizer = try reportingErrors { try TokenizerLoader.load(model: location) }
    let encoding = try reportingErrors { try tokenizer.encode(text) }
    if idsOnly {
      print(encoding.ids.map(String.init).joined(separator: ","))
      return
    }
    let bytes = Array(text.utf8)
    print("\(encoding.ids.count) tokens")
    for (i, id) in encoding.ids.enumerated() {
      let range = encoding.offsets[i]
      let piece = String(decoding: bytes[range.clamped(to: 0..<bytes.count)], as: UTF8.self)
      let raw = tokenizer.tokenString(for: id) ?? "?"
      print(
        "\(i)\t\(id)\t\(raw.debugDescription)\t\(piece.debugDescription)\t\(range.lowerBound)..<\(range.upperBound)")
    }
  }
}
