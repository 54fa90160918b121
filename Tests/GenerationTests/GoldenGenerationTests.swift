import Checkpoints
import Foundation
import Models
import TensorCore
import TestSupport
import Testing
import Tokenizers

/// Greedy continuations on the default model equal transformers' `generate(do_sample=False)`
/// token for token (`scripts/make_generation_golden.py`; both sides dequantize the Q4_1 weights
/// identically). The golden records the smallest top-1/top-2 logit gap per step; the smallest,
/// 0.0117, is three orders of magnitude above the engines' float32 differences, so every id must match.
@Suite struct GoldenGenerationTests {
  @Test(.enabled(if: Fixtures.defaultModelAvailable, Comment(rawValue: Fixtures.defaultModelMissing)))
  func greedyIdsEqualTransformers() throws {
    let golden = try GenerationGolden.load()
    let location = try ModelLocation(classifying: Fixtures.defaultModelFile)
    let model = try LlamaModel.load(from: location)
    let tokenizer = try TokenizerLoader.load(model: location)
    let template = try #require(try ChatTemplate.load(model: location))
    let generator = Generator(model: model, tokenizer: tokenizer, context: ComputeContext())
    #expect(tokenizer.eosTokenID == golden.eosTokenID)
    for case let c in golden.continuations {
      // The prompt: our tokenizer (and template) give transformers' ids.
      let prompt: String
      if let messages = c.messages {
        prompt = template.render(
          messages.map { ChatTemplate.Message(role: $0.role, content: $0.content) }, addGenerationPrompt: true)
      } else {
        prompt = c.text ?? ""
      }
      #expect(prompt == c.prompt)
      #expect(try tokenizer.encodeIDs(prompt) == c.promptIDs, "\(c.name)")

      var streamed = ""
      let result = try generator.generate(
        promptTokens: c.promptIDs,
        options: GenerationOptions(maxTokens: golden.maxNewTokens, stopTokens: [golden.eosTokenID])
      ) { streamed += $0 }
      #expect(result.tokens == c.generatedIDs, "\(c.name): min logit gap \(c.logitGaps.min() ?? 0)")
      #expect(result.text == c.generatedText, "\(c.name)")
      #expect(streamed == result.text)
    }
  }
}
