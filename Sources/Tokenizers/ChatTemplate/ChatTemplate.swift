import Foundation

/// A conversation renderer that produces exactly what a model's Jinja `chat_template` produces
/// under transformers' `apply_chat_template(..., tokenize=False)`, for the template families bae
/// recognises. bae does not run Jinja: ``init(jinja:)`` recognises a known template text and
/// rejects every other one with ``ChatTemplateError/unsupported(excerpt:)``.
///
/// Supported: **ChatML** — each message as `<|im_start|>ROLE\nCONTENT<|im_end|>\n`, and
/// `<|im_start|>assistant\n` when a generation prompt is asked for; optionally with a default
/// system message inserted before the first message when the conversation does not start
/// with one (SmolLM2-Instruct's template: "You are a helpful AI assistant named SmolLM, trained
/// by Hugging Face").
public struct ChatTemplate: Sendable, Equatable, Hashable {
  /// One message of a conversation.
  public struct Message: Sendable, Equatable, Hashable {
    /// `system`, `user`, `assistant` (ChatML prints any role as given).
    public var role: String
    /// The message text.
    public var content: String

    /// A message from `role`.
    public init(role: String, content: String) {
      self.role = role
      self.content = content
    }
  }

  /// The system message inserted when the conversation does not start with one; nil for none.
  public var defaultSystemPrompt: String?

  /// A ChatML template, with a default system prompt or without one.
  public init(defaultSystemPrompt: String? = nil) {
    self.defaultSystemPrompt = defaultSystemPrompt
  }

  /// Plain ChatML (no default system prompt).
  public static let chatML = ChatTemplate()

  /// A short name for messages and `/v1/models`: `chatml` or `chatml+default-system`.
  public var name: String { defaultSystemPrompt == nil ? "chatml" : "chatml+default-system" }

  /// Renders `messages` as the template does.
  ///
  /// - Parameter addGenerationPrompt: append the assistant header (`<|im_start|>assistant\n`),
  ///   as transformers' `add_generation_prompt=True`.
  public func render(_ messages: [Message], addGenerationPrompt: Bool) -> String {
    var out = ""
    for (i, message) in messages.enumerated() {
      if i == 0, message.role != "system", let system = defaultSystemPrompt {
        out += "<|im_start|>system\n\(system)<|im_end|>\n"
      }
      out += "<|im_start|>\(message.role)\n\(message.content)<|im_end|>\n"
    }
    if addGenerationPrompt { out += "<|im_start|>assistant\n" }
    return out
  }
}

/// Why a chat template cannot be used.
public enum ChatTemplateError: Error, CustomStringConvertible, Equatable {
  /// The model's template is not one of the families bae renders.
  case unsupported(excerpt: String)
  /// The model carries no chat template.
  case missing(model: String)
  /// The template file or metadata could not be read.
  case unreadable(file: String, reason: String)

  public var description: String {
    switch self {
    case .unsupported(let excerpt):
      "the model's chat template is not one bae can render (supported: ChatML, optionally with a default system "
        + "prompt as in SmolLM2-Instruct); it begins: \(excerpt)"
    case .missing(let model):
      "\(model) has no chat template (no `tokenizer.chat_template` in the GGUF, no `chat_template` in "
        + "tokenizer_config.json); use a completion prompt instead"
    case .unreadable(let file, let reason):
      "cannot read the chat template of \(file): \(reason)"
    }
  }
}
