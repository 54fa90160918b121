import ArgumentParser
import Checkpoints
import Foundation
import Models
import Tokenizers

/// `bae generate`: continue a prompt with the model, streaming the text.
struct GenerateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "generate",
    abstract: "Continue a prompt (or answer it as a chat message) with the model, streaming the text to stdout.")

  @OptionGroup var model: ModelArguments

  @Option(name: .long, help: "The prompt text.")
  var prompt: String

  @Flag(name: .long, help: "Send the prompt as a user message through the model's chat template.")
  var chat = false

  @Option(name: .long, help: "System message for --chat (default: the template's own, if any).")
  var system: String?

  @Option(name: .long, help: "Largest number of tokens to generate.")
  var maxTokens = 128

  @Option(name: .long, help: "Sampling temperature; 0 is greedy decoding.")
  var temperature = 0.0

  @Option(name: .long, help: "Nucleus sampling: keep the most probable tokens up to this probability mass.")
  var topP = 1.0

  @Option(name: .long, help: "Seed of the sampler.")
  var seed: UInt64 = 0

  @Option(name: .long, help: "Stop before this text (repeatable).")
  var stop: [String] = []

  @Flag(name: .long, help: "Print one JSON object (text, token ids, counts, stop reason) instead of streaming.")
  var json = false

  func validate() throws {
    guard maxTokens >= 1 else { throw ValidationError("--max-tokens must be at least 1") }
    if system != nil && !chat { throw ValidationError("--system needs --chat") }
    do { try SamplingParameters(temperature: temperature, topP: topP, seed: seed).validate() } catch {
      throw ValidationError(error.description)
    }
  }

  func run() throws {
    let location = try model.resolvedLocation()
    let (llama, tokenizer) = try reportingErrors {
      (try LlamaModel.load(from: location), try TokenizerLoader.load(model: location))
    }
    var text = prompt
    if chat {
      guard let template = try reportingErrors({ try ChatTemplate.load(model: location) }) else {
        throw CommandError(ChatTemplateError.missing(model: location.url.path).description)
      }
      var messages: [ChatTemplate.Message] = []
      if let system { messages.append(.init(role: "system", content: system)) }
      messages.append(.init(role: "user", content: prompt))
      text = template.render(messages, addGenerationPrompt: true)
    }
    let ids = try reportingErrors { try tokenizer.encodeIDs(text) }
    let generator = Generator(model: llama, tokenizer: tokenizer, context: model.context)
    let options = GenerationOptions(
      maxTokens: maxTokens, sampling: SamplingParameters(temperature: temperature, topP: topP, seed: seed),
      stopStrings: stop, stopTokens: GenerationOptions.defaultStopTokens(for: tokenizer))
    let start = Date()
    let result = try reportingErrors {
      try generator.generate(promptTokens: ids, options: options) { delta in
        guard !json else { return }
        FileHandle.standardOutput.write(Data(delta.utf8))
      }
    }
    let seconds = Date().timeIntervalSince(start)
    if json {
      let object: [String: Any] = [
        "text": result.text, "tokens": result.tokens.map(Int.init), "prompt_tokens": ids.count,
        "completion_tokens": result.tokens.count, "stop_reason": result.stopReason.rawValue, "seconds": seconds,
      ]
      let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
      print(String(decoding: data, as: UTF8.self))
    } else {
      print("")
      let rate = Double(result.tokens.count) / max(seconds, 1e-9)
      FileHandle.standardError.write(
        Data(
          "bae generate: \(ids.count) prompt tokens, \(result.tokens.count) generated in \(String(format: "%.2f", seconds)) s (\(String(format: "%.1f", rate)) tokens/s), stop: \(result.stopReason.rawValue)\n"
            .utf8))
    }
  }
}
