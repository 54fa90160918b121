import Foundation

/// Why activation records or a ComSem run could not be made, read or written.
///
/// Options are named by their key in the records manifest or the run's options (`top_k`), never
/// by a command-line flag.
public enum InterpretError: Error, CustomStringConvertible, Equatable, Sendable {
  /// An option value that makes no sense.
  case invalidOption(name: String, reason: String)
  /// The corpus gave no document with at least one token.
  case noDocuments(textsRead: Int)
  /// The autoencoder does not fit the hidden states it is asked to encode.
  case widthMismatch(hook: String, hiddenWidth: Int, autoencoderWidth: Int)
  /// A file of a records directory or a run directory cannot be read.
  case unreadable(file: String, reason: String)
  /// A file could not be written.
  case writeFailed(file: String, reason: String)
  /// A prompt template is missing or has a placeholder the prompt does not know.
  case invalidPrompt(file: String, reason: String)
  /// A judge request failed (after the client's own retries); finished features are kept.
  case judge(feature: Int, error: JudgeError)

  public var description: String {
    switch self {
    case .invalidOption(let name, let reason): "option \(name): \(reason)"
    case .noDocuments(let read): "the corpus gave no document with a token (\(read) texts read)"
    case .widthMismatch(let hook, let hidden, let width):
      "the autoencoder reads \(width) values per token, but \(hook) has \(hidden); use an autoencoder trained on that hook"
    case .unreadable(let file, let reason): "\(file): cannot read: \(reason)"
    case .writeFailed(let file, let reason): "\(file): cannot write: \(reason)"
    case .invalidPrompt(let file, let reason): "prompt template \(file): \(reason)"
    case .judge(let feature, let error):
      "feature \(error == .cancelled ? "run" : "\(feature)"): \(error) (finished features are kept; run again to resume)"
    }
  }
}
