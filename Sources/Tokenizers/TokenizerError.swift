import Foundation
import JSONSupport

/// Everything that can go wrong while loading or running a tokenizer.
///
/// Each case names the file and, for JSON files, the field path (for example
/// `model.merges[12]`), so the message says what is wrong and where.
public enum TokenizerError: Error, CustomStringConvertible, Equatable {
  /// The directory holds neither `tokenizer.json` nor `tokenizer.model`.
  case noTokenizerFile(directory: String)
  /// A file could not be read.
  case unreadableFile(file: String, reason: String)
  /// A file is not valid JSON, or a field has the wrong JSON type.
  case malformedJSON(file: String, path: String, reason: String)
  /// A required field is absent.
  case missingField(file: String, path: String)
  /// A `type` (model, normalizer, pre-tokenizer, post-processor, decoder) or option this module does not implement.
  case unsupported(file: String, path: String, value: String)
  /// A merge names a token that is not in the vocabulary, or is not two tokens.
  case invalidMerge(file: String, path: String, merge: String, reason: String)
  /// A `Split` pattern that ICU cannot compile.
  case invalidPattern(file: String, path: String, pattern: String, reason: String)
  /// A `tokenizer.ggml.pre` name with no known split rules.
  case unknownGGUFPreTokenizer(name: String)
  /// GGUF-style vocabulary arrays that do not fit together.
  case invalidGGUFVocabulary(reason: String)
  /// libsentencepiece reported an error.
  case sentencePiece(file: String, message: String)

  /// The error in words; file names, paths, values, merges and patterns come from files and are
  /// cut and escaped (``UntrustedText``).
  public var description: String {
    func text(_ value: String) -> String { UntrustedText.describe(value) }
    func detail(_ value: String) -> String { UntrustedText.describe(value, limit: 400) }
    switch self {
    case .noTokenizerFile(let directory):
      return "No tokenizer.json or tokenizer.model in \(detail(directory)). Point at a model directory that holds one."
    case .unreadableFile(let file, let reason):
      return "Cannot read \(detail(file)): \(detail(reason))."
    case .malformedJSON(let file, let path, let reason):
      return "Malformed \(detail(file)) at `\(text(path))`: \(detail(reason))."
    case .missingField(let file, let path):
      return "\(detail(file)) lacks the required field `\(text(path))`."
    case .unsupported(let file, let path, let value):
      return "\(detail(file)): `\(text(path))` = \(text(value)) is not supported by bae's tokenizers."
    case .invalidMerge(let file, let path, let merge, let reason):
      return "\(detail(file)): merge `\(text(merge))` at `\(text(path))` is invalid: \(detail(reason))."
    case .invalidPattern(let file, let path, let pattern, let reason):
      return "\(detail(file)): regex `\(text(pattern))` at `\(text(path))` does not compile: \(detail(reason))."
    case .unknownGGUFPreTokenizer(let name):
      return
        "tokenizer.ggml.pre = \"\(text(name))\" is not a known pre-tokenizer; known: \(GGUFPreTokenizer.knownNames.joined(separator: ", "))."
    case .invalidGGUFVocabulary(let reason):
      return "Invalid GGUF tokenizer arrays: \(detail(reason))."
    case .sentencePiece(let file, let message):
      return "SentencePiece failed on \(detail(file)): \(detail(message))."
    }
  }
}
