import Foundation
import TestSupport

/// `Resources/smollm2-generation.json`, written by `scripts/make_generation_golden.py` from
/// transformers on the default model.
struct GenerationGolden: Decodable {
  struct Message: Decodable {
    var role: String
    var content: String
  }

  struct Continuation: Decodable {
    var name: String
    var text: String?
    var messages: [Message]?
    var prompt: String
    var promptIDs: [Int32]
    var generatedIDs: [Int32]
    var generatedText: String
    var logitGaps: [Double]

    enum CodingKeys: String, CodingKey {
      case name, text, messages, prompt
      case promptIDs = "prompt_ids"
      case generatedIDs = "generated_ids"
      case generatedText = "generated_text"
      case logitGaps = "logit_gaps"
    }
  }

  struct Conversation: Decodable {
    var name: String
    var messages: [Message]
    var generationPrompt: Bool
    var rendered: String

    enum CodingKeys: String, CodingKey {
      case name, messages, rendered
      case generationPrompt = "generation_prompt"
    }
  }

  var maxNewTokens: Int
  var eosTokenID: Int32
  var chatTemplate: String
  var continuations: [Continuation]
  var templates: [Conversation]

  enum CodingKeys: String, CodingKey {
    case continuations, templates
    case maxNewTokens = "max_new_tokens"
    case eosTokenID = "eos_token_id"
    case chatTemplate = "chat_template"
  }

  static func load() throws -> GenerationGolden {
    let url = Fixtures.resource("smollm2-generation.json", in: "GenerationTests")
    return try JSONDecoder().decode(GenerationGolden.self, from: Data(contentsOf: url))
  }
}
