import Models
import TestSupport
import Testing
import Tokenizers

@Suite struct TextStreamTests {
  /// The tiny byte-level tokenizer (320 tokens, mostly single bytes): multi-byte characters are
  /// split across tokens, which is what incremental detokenization must survive.
  static func tokenizer() throws -> any Tokenizer {
    try TokenizerLoader.load(directory: Fixtures.model("tiny-extract"))
  }

  @Test func deltasNeverSplitACharacterAndJoinToTheDecodedText() throws {
    let tokenizer = try Self.tokenizer()
    let text = "Héllo wörld ✓ 日本語 🙂 done"
    let ids = try tokenizer.encodeIDs(text)
    #expect(ids.count > text.unicodeScalars.count / 2)
    var detokenizer = IncrementalDetokenizer(tokenizer: tokenizer)
    var joined = ""
    for id in ids {
      let delta = detokenizer.append(id)
      #expect(!delta.contains("\u{FFFD}"), "delta \(delta.debugDescription)")
      joined += delta
    }
    joined += detokenizer.finish()
    #expect(joined == tokenizer.decode(ids))
    #expect(joined == text)
  }

  @Test func anUnfinishedCharacterIsReleasedAtTheEnd() throws {
    let tokenizer = try Self.tokenizer()
    let ids = try tokenizer.encodeIDs("a🙂")
    var detokenizer = IncrementalDetokenizer(tokenizer: tokenizer)
    var joined = ""
    for id in ids.dropLast() { joined += detokenizer.append(id) }
    #expect(joined == "a")
    #expect(detokenizer.finish() == String(tokenizer.decode(Array(ids.dropLast())).dropFirst()))
  }

  @Test func stopStringsCutTheTextAndAreHeldBackWhileIncomplete() {
    var filter = StopStringFilter(stops: ["END", "\n\n"])
    #expect(filter.push("Hello E") == "Hello ")
    #expect(filter.push("N") == "")
    #expect(filter.push("x") == "ENx")
    #expect(filter.push(" done\n") == " done")
    #expect(filter.push("\nmore") == "")
    #expect(filter.stopped)
    #expect(filter.push("later") == "")
    #expect(filter.finish() == "")

    var scalars = StopStringFilter(stops: ["\n"])
    #expect(scalars.push("a\r\nb") == "a\r")
    #expect(scalars.stopped)

    var open = StopStringFilter(stops: ["STOP"])
    #expect(open.push("ab ST") == "ab ")
    #expect(open.finish() == "ST")
  }

  @Test func generationStopsOnStopTokensStringsAndLimits() throws {
    let tokenizer = try Self.tokenizer()
    let model = try LlamaModel.load(from: Fixtures.model("tiny-extract"))
    let generator = Generator(model: model, tokenizer: tokenizer, context: .serial)
    let prompt = try tokenizer.encodeIDs("Once upon a time")
    let free = try generator.generate(promptTokens: prompt, options: GenerationOptions(maxTokens: 12))
    #expect(free.tokens.count == 12 && free.stopReason == .maxTokens)
    #expect(free.text == tokenizer.decode(free.tokens))
    // Determinism: the same request gives the same ids.
    #expect(try generator.generate(promptTokens: prompt, options: GenerationOptions(maxTokens: 12)) == free)

    // The third generated token as a stop token: generation ends there, its text is left out.
    let stopToken = free.tokens[2]
    let first = free.tokens.firstIndex(of: stopToken)!
    let stopped = try generator.generate(
      promptTokens: prompt, options: GenerationOptions(maxTokens: 12, stopTokens: [stopToken]))
    #expect(stopped.stopReason == .endOfSequence)
    #expect(stopped.tokens == Array(free.tokens[...first]))
    #expect(stopped.text == tokenizer.decode(Array(free.tokens[..<first])))

    // A stop string from the free text: the streamed deltas stop right before it.
    let cutText = String(free.text.prefix(5))
    let stop = String(free.text.dropFirst(5).prefix(2))
    var streamed = ""
    let cut = try generator.generate(
      promptTokens: prompt, options: GenerationOptions(maxTokens: 12, stopStrings: [stop])) { streamed += $0 }
    if !stop.isEmpty, !cutText.contains(stop) {
      #expect(cut.stopReason == .stopString)
      #expect(cut.text == cutText && streamed == cutText)
    }

    // A cache just big enough for the prompt and two tokens.
    let short = try generator.generate(
      promptTokens: prompt, options: GenerationOptions(maxTokens: 50), capacity: prompt.count + 2)
    #expect(short.stopReason == .contextFull && short.tokens.count == 3)
    #expect(throws: GenerationError.contextFull(needed: prompt.count + 1, capacity: prompt.count)) {
      try generator.generate(promptTokens: prompt, options: GenerationOptions(maxTokens: 5), capacity: prompt.count)
    }
  }
}
