import ArgumentParser
import FeatureSets

/// How text becomes model inputs and which positions are kept: shared by `extract` and by
/// `train` on a model and corpus, so both cut the same windows.
struct WindowArguments: ParsableArguments {
  @Option(name: .long, help: "Stop after this many tokens (rows).")
  var maxTokens: Int?

  @Option(name: .long, help: "Window length: long documents are cut into windows of this many tokens.")
  var context = 256

  @Option(name: .long, help: "BOS at the start of each window: auto (as the tokenizer does), on, off.")
  var bos = BOSPolicy.auto

  @Option(name: .long, help: "Positions dropped at the start of each window (1 drops the attention sink).")
  var skipFirst = 1

  @Option(name: .long, help: "Tokens per forward batch.")
  var batchTokens = 4096
}
