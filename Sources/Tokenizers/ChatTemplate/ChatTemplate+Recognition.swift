import Checkpoints
import Foundation
import JSONSupport

extension ChatTemplate {
  /// Plain ChatML as Hugging Face documents it.
  static let chatMLJinja =
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}"
    + "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"

  /// ChatML with a default system prompt (SmolLM2-Instruct); `\u{0}` marks the prompt.
  static let chatMLDefaultSystemJinja =
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    + "{{ '<|im_start|>system\n\u{0}<|im_end|>\n' }}{% endif %}"
    + "{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}"
    + "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"

  /// Recognises a Jinja chat template text.
  ///
  /// Whitespace outside string literals is ignored, and `\n` escapes inside literals read as
  /// newlines (as Jinja reads them); everything else must match a known template exactly.
  ///
  /// - Throws: ``ChatTemplateError/unsupported(excerpt:)`` for any other template.
  public init(jinja: String) throws(ChatTemplateError) {
    let text = Self.normalize(jinja)
    if text == Self.normalize(Self.chatMLJinja) {
      self.init()
      return
    }
    let pattern = Self.normalize(Self.chatMLDefaultSystemJinja)
    let parts = pattern.split(separator: "\u{0}", omittingEmptySubsequences: false)
    if parts.count == 2, text.count > parts[0].count + parts[1].count, text.hasPrefix(parts[0]),
      text.hasSuffix(parts[1])
    {
      let prompt = String(text.dropFirst(parts[0].count).dropLast(parts[1].count))
      if !prompt.contains("'") {
        self.init(defaultSystemPrompt: prompt)
        return
      }
    }
    let flat = jinja.replacingOccurrences(of: "\n", with: "\\n")
    throw .unsupported(excerpt: flat.count > 100 ? String(flat.prefix(100)) + "…" : flat)
  }

  /// The template text with whitespace outside quotes removed and `\n` escapes in quotes decoded.
  static func normalize(_ jinja: String) -> String {
    var out = ""
    var quote: Character?
    var escaped = false
    for ch in jinja {
      if let q = quote {
        if escaped {
          out.append(ch == "n" ? "\n" : ch)
          escaped = false
        } else if ch == "\\" {
          escaped = true
        } else {
          out.append(ch == "\"" && q == "\"" ? "'" : ch)
          if ch == q { quote = nil }
        }
      } else if ch == "'" || ch == "\"" {
        quote = ch
        out.append("'")
      } else if !ch.isWhitespace {
        out.append(ch)
      }
    }
    return out
  }

  /// The chat template of the model at `location`: a GGUF's `tokenizer.chat_template`, or a
  /// Hugging Face directory's `chat_template.jinja` or `tokenizer_config.json` `chat_template`.
  ///
  /// - Returns: nil when the model carries none.
  /// - Throws: ``ChatTemplateError`` when the template is unreadable or not supported.
  public static func load(model location: ModelLocation) throws(ChatTemplateError) -> ChatTemplate? {
    guard let jinja = try jinjaText(model: location) else { return nil }
    return try ChatTemplate(jinja: jinja)
  }

  /// The raw Jinja text of the model's chat template, or nil when it has none.
  ///
  /// - Throws: ``ChatTemplateError/unreadable(file:reason:)``.
  public static func jinjaText(model location: ModelLocation) throws(ChatTemplateError) -> String? {
    switch location.kind {
    case .ggufFile:
      do {
        return try GGUFFile(url: location.url).optionalString("tokenizer.chat_template")
      } catch {
        throw .unreadable(file: location.url.path, reason: error.description)
      }
    case .huggingFaceDirectory:
      let directory = location.url
      let jinjaFile = directory.appendingPathComponent("chat_template.jinja")
      if FileManager.default.fileExists(atPath: jinjaFile.path) {
        do { return try String(contentsOf: jinjaFile, encoding: .utf8) } catch {
          throw .unreadable(file: jinjaFile.path, reason: error.localizedDescription)
        }
      }
      let config = directory.appendingPathComponent("tokenizer_config.json")
      guard FileManager.default.fileExists(atPath: config.path) else { return nil }
      let json: JSONValue
      do {
        json = try JSONValue.parse(try Data(contentsOf: config), document: config.path)
      } catch {
        throw .unreadable(file: config.path, reason: "\(error)")
      }
      guard let template = json["chat_template"], !template.isNull else { return nil }
      if let text = template.stringValue { return text }
      // A list of named templates: the one named "default".
      for entry in template.arrayValue ?? [] where entry["name"]?.stringValue == "default" {
        if let text = entry["template"]?.stringValue { return text }
      }
      throw .unreadable(file: config.path, reason: "`chat_template` is neither a string nor a list with a `default` entry")
    }
  }
}
