import Checkpoints
import Foundation
import TestSupport
import Testing
import Tokenizers

/// GGUF tokenizer metadata a hostile or damaged file could carry (issue #14, item 3).
@Suite struct HostileGGUFTokenizerTests {
  func tokenizerError(bos: GGUFBuilder.Value) throws -> String? {
    var builder = GGUFBuilder()
    builder.metadata = [
      ("tokenizer.ggml.model", .string("gpt2")), ("tokenizer.ggml.tokens", .strings(["a", "b", "ab"])),
      ("tokenizer.ggml.merges", .strings(["a b"])), ("tokenizer.ggml.bos_token_id", bos),
    ]
    let url = try ScratchDirectory("hostile-tokenizer").url("model.gguf")
    try builder.bytes().write(to: url)
    do {
      _ = try BPETokenizer(gguf: GGUFFile(url: url))
      return nil
    } catch {
      return String(describing: error)
    }
  }

  @Test(arguments: [UInt64(1) << 32, UInt64(Int32.max) + 1, UInt64.max, 3])
  func bosTokenIDOutsideTheVocabularyIsAnError(id: UInt64) throws {
    let message = try #require(try tokenizerError(bos: .uint64(id)))
    #expect(message.contains("bos_token_id") || message.contains("expected an integer"))
  }

  @Test func bosTokenIDInsideTheVocabularyLoads() throws {
    #expect(try tokenizerError(bos: .uint64(2)) == nil)
  }
}
