import Checkpoints
import Foundation
import TestSupport
import Testing

/// Commands on the default model with no `--model` flag, as the README shows them.
@Suite struct DefaultModelCommandTests {
  static let available = Fixtures.defaultModelAvailable
  static let prompt = "Once upon a time, there was a little dog named Max. He liked to"
  static let ids = "6403,1980,253,655,28,665,436,253,1838,2767,3365,7625,30,909,16686,288"

  @Test(.enabled(if: available, Comment(rawValue: Fixtures.defaultModelMissing)))
  func tokenizeMatchesTransformersIDs() throws {
    let result = try runBae(["tokenize", "--text", Self.prompt, "--ids-only"], directory: repositoryRoot)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout == Self.ids + "\n")
  }

  @Test(.enabled(if: available, Comment(rawValue: Fixtures.defaultModelMissing)))
  func forwardOnTextWithoutModelFlag() throws {
    let out = try ScratchDirectory().url
    let result = try runBae(
      ["forward", "--text", Self.prompt, "--hooks", "resid_pre:15", "--out", out.path], directory: repositoryRoot)
    #expect(result.status == 0, "\(result.stderr)")
    let file = try SafetensorsFile(out.appendingPathComponent("activations.safetensors"))
    #expect(try file.int32s("token_ids").map(String.init).joined(separator: ",") == Self.ids)
    let values = try file.floats("blocks.15.hook_resid_pre")
    // transformers: hidden_states[15][0, -1, :4]
    #expect(maxAbsDiff(Array(values[(15 * 576)..<(15 * 576 + 4)]), [3.8305, -0.9168, 4.1229, 8.6446]) <= 1e-3)
  }
}
