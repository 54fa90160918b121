import ArgumentParser
import Foundation

/// `--text` or `--file`: the text a command runs on.
struct TextInputArguments: ParsableArguments {
  @Option(name: .long, help: "Text to use (tokenized with the model's own tokenizer).")
  var text: String?

  @Option(name: .long, help: ArgumentHelp("Read the text from a UTF-8 file.", valueName: "path"))
  var file: String?

  /// The spelling `bae forward` used before `--file`.
  @Option(name: .long, help: .hidden)
  var promptFile: String?

  func validate() throws {
    if file != nil && promptFile != nil { throw ValidationError("--prompt-file is another name for --file; give one") }
    if text != nil && filePath != nil { throw ValidationError("give either --text or --file, not both") }
  }

  /// Whether `--text` or `--file` was given.
  var isGiven: Bool { text != nil || filePath != nil }

  private var filePath: String? { file ?? promptFile }

  /// The text of `--text`, or the contents of `--file`.
  func readText() throws -> String {
    if let text { return text }
    guard let file = filePath else { throw CommandError("no text given; pass --text or --file") }
    guard let data = FileManager.default.contents(atPath: file) else {
      throw CommandError("\(file): cannot read file")
    }
    guard let string = String(data: data, encoding: .utf8) else {
      throw CommandError("\(file): not valid UTF-8 text")
    }
    return string
  }
}
