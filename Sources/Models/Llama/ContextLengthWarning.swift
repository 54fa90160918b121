/// A sequence longer than the context the model was trained for (`max_position_embeddings`).
///
/// bae still runs such a sequence: positions past the trained context are valid arithmetic, and
/// studies of long-context behaviour need them. But the activations are out of distribution and
/// attention costs memory and time quadratic in the length, so ``LlamaModel/forward(batch:state:hooks:context:)``
/// returns this value (libraries never print) and `bae` prints it on stderr.
public struct ContextLengthWarning: Sendable, Equatable, CustomStringConvertible {
  /// Tokens in the longest sequence of the batch.
  public var longestSequence: Int
  /// The model's `max_position_embeddings`.
  public var maximumPositions: Int

  /// A warning that a sequence of `longestSequence` tokens exceeds `maximumPositions`.
  public init(longestSequence: Int, maximumPositions: Int) {
    self.longestSequence = longestSequence
    self.maximumPositions = maximumPositions
  }

  /// The warning in words, with what to do about it.
  public var description: String {
    "warning: a sequence of \(longestSequence) tokens is longer than the model's context of \(maximumPositions) "
      + "(max_position_embeddings); positions past it are out of distribution and attention memory grows with "
      + "the square of the length. Shorten the input to stay within the trained context."
  }
}

extension LlamaModel {
  /// The warning for a batch whose longest sequence has `longest` tokens, or `nil` when it fits
  /// the trained context.
  public func contextLengthWarning(longest: Int) -> ContextLengthWarning? {
    longest > configuration.maxPositionEmbeddings
      ? ContextLengthWarning(longestSequence: longest, maximumPositions: configuration.maxPositionEmbeddings) : nil
  }
}
