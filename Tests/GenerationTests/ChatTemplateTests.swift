import Checkpoints
import Foundation
import TestSupport
import Testing
import Tokenizers

@Suite struct ChatTemplateTests {
  /// The default model's template text (kept in the golden) is recognised, and renders every
  /// golden conversation exactly as transformers' `apply_chat_template(tokenize=False)`.
  @Test func smolLM2TemplateRendersAsTransformers() throws {
    let golden = try GenerationGolden.load()
    let template = try ChatTemplate(jinja: golden.chatTemplate)
    #expect(template.defaultSystemPrompt == "You are a helpful AI assistant named SmolLM, trained by Hugging Face")
    #expect(golden.templates.count >= 4)
    for conversation in golden.templates {
      let rendered = template.render(
        conversation.messages.map { ChatTemplate.Message(role: $0.role, content: $0.content) },
        addGenerationPrompt: conversation.generationPrompt)
      #expect(rendered == conversation.rendered, "\(conversation.name)")
    }
    for continuation in golden.continuations {
      guard let messages = continuation.messages else { continue }
      let rendered = template.render(
        messages.map { ChatTemplate.Message(role: $0.role, content: $0.content) }, addGenerationPrompt: true)
      #expect(rendered == continuation.prompt)
    }
  }

  @Test func plainChatMLIsRecognisedWhateverTheSpacing() throws {
    let jinja = """
      {% for message in messages %}
      {{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}
      {% endfor %}
      {% if add_generation_prompt %}{{ "<|im_start|>assistant\\n" }}{% endif %}
      """
    let template = try ChatTemplate(jinja: jinja)
    #expect(template == .chatML)
    #expect(
      template.render([.init(role: "user", content: "Hi")], addGenerationPrompt: true)
        == "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
  }

  @Test func otherTemplatesAreAClearError() {
    let llama2 = "{{ bos_token }}{% for message in messages %}[INST] {{ message['content'] }} [/INST]{% endfor %}"
    do {
      _ = try ChatTemplate(jinja: llama2)
      Issue.record("a Llama-2 template was accepted")
    } catch {
      #expect(error.description.contains("supported: ChatML"))
      #expect(error.description.contains("[INST]"))
    }
  }

  @Test func aModelWithoutTemplateHasNone() throws {
    #expect(try ChatTemplate.load(model: ModelLocation(classifying: Fixtures.model("tiny-extract"))) == nil)
  }

  @Test(.enabled(if: Fixtures.defaultModelAvailable, Comment(rawValue: Fixtures.defaultModelMissing)))
  func theDefaultModelCarriesItsTemplate() throws {
    let golden = try GenerationGolden.load()
    let location = try ModelLocation(classifying: Fixtures.defaultModelFile)
    #expect(try ChatTemplate.jinjaText(model: location) == golden.chatTemplate)
    #expect(try ChatTemplate.load(model: location)?.defaultSystemPrompt != nil)
  }
}
