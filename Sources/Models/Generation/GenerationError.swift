import TensorCore

/// Errors of incremental decoding and generation caused by their input.
public enum GenerationError: Error, CustomStringConvertible, Equatable {
  /// A decoding step was given no tokens (or a sequence with none).
  case emptyStep
  /// A token id is outside the model's vocabulary.
  case tokenOutOfRange(token: Int32, vocabularySize: Int)
  /// The sequence would not fit its KV cache (or the model's context).
  case contextFull(needed: Int, capacity: Int)
  /// The prompt holds no tokens.
  case emptyPrompt
  /// A sampling parameter is outside its range.
  case invalidSampling(String)
  /// The model's weights are stored in one precision and the context asks for another.
  case precisionMismatch(model: Precision, context: Precision)
  /// oneDNN could not set up a bf16 product.
  case matmul(MatmulError)

  public var description: String {
    switch self {
    case .emptyStep:
      "a decoding step needs at least one new token per sequence"
    case .tokenOutOfRange(let token, let vocabulary):
      "token id \(token) is outside the vocabulary 0…\(vocabulary - 1)"
    case .contextFull(let needed, let capacity):
      "the sequence needs \(needed) positions but the context holds \(capacity); shorten the prompt or lower the token limit"
    case .emptyPrompt:
      "the prompt is empty: give at least one token"
    case .invalidSampling(let message):
      message
    case .precisionMismatch(let model, let context):
      "the model's weights are stored in \(model.rawValue) but the step asks for \(context.rawValue); load the model with precision \(context.rawValue)"
    case .matmul(let error):
      "bf16 matrix product: \(error)"
    }
  }
}
