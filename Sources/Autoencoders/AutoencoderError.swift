import Foundation
import JSONSupport
import RunControl

/// Why an autoencoder cannot be built, loaded, trained or applied.
public enum AutoencoderError: Error, CustomStringConvertible, Equatable {
  /// A configuration value that makes no sense; `key` is the `config.json` key.
  case invalidConfiguration(key: String, reason: String)
  /// `config.json` or `weights.safetensors` cannot be read.
  case unreadable(file: URL, reason: String)
  /// A file could not be written.
  case writeFailed(file: URL, reason: String)
  /// Data whose width differs from the autoencoder's.
  case widthMismatch(expected: Int, found: Int, what: String)
  /// Data holding NaN or ±∞.
  case nonFiniteData(row: Int, what: String)
  /// No rows to train on (after the split and filters).
  case emptyDataset(String)
  /// The loss became NaN or infinite.
  case nonFiniteLoss(epoch: Int, step: Int, lastGoodCheckpoint: URL?)
  /// The run was asked to stop (``Cancellation``) before its last epoch; the epoch in progress
  /// was discarded, and `checkpoint` (when the run writes one) holds the epochs done.
  case cancelled(reason: Cancellation.Reason, epochsDone: Int, epochs: Int, checkpoint: URL?)

  /// Text from files and flags (paths, names, keys) as it may appear in a message.
  private func t(_ text: String) -> String { UntrustedText.describe(text, limit: 400) }

  public var description: String {
    switch self {
    case .invalidConfiguration(let key, let reason):
      return "configuration '\(t(key))': \(t(reason))"
    case .unreadable(let file, let reason):
      return "\(t(file.path)): cannot read: \(t(reason))"
    case .writeFailed(let file, let reason):
      return "\(t(file.path)): cannot write: \(t(reason))"
    case .widthMismatch(let expected, let found, let what):
      return "\(t(what)) has width \(found), but the autoencoder expects \(expected)"
    case .nonFiniteData(let row, let what):
      return "\(t(what)): row \(row) holds NaN or infinity; clean the data (or drop such rows with a norm limit)"
    case .emptyDataset(let what):
      return "no rows to train on: \(t(what))"
    case .nonFiniteLoss(let epoch, let step, let checkpoint):
      let kept = checkpoint.map { "; the last good checkpoint is \(t($0.path))" } ?? ""
      return "the loss became NaN or infinite at epoch \(epoch), step \(step); lower the learning rate\(kept)"
    case .cancelled(_, let done, let epochs, let checkpoint):
      let kept = checkpoint.map { "; \(t($0.path)) holds them" } ?? ""
      return "training stopped after \(done) of \(epochs) epochs\(kept)"
    }
  }
}
