import FeatureSets
import Foundation
import JSONSupport

/// Why codes cannot be computed, written, compressed or read back.
public enum CodeError: Error, CustomStringConvertible, Equatable {
  /// The feature set cannot be opened or read (a missing hook, a damaged shard, …).
  case featureSet(FeatureSetError)
  /// No hook was named and the autoencoder records none.
  case noHook
  /// A hook name that is not one `bae` knows.
  case invalidHook(name: String, reason: String)
  /// The hook's rows are not as wide as the autoencoder's input.
  case widthMismatch(hook: String, width: Int, expected: Int)
  /// An operation that needs binary codes was given another architecture.
  case notBinary(architecture: String)
  /// A value of an option that makes no sense (a non-positive batch size, …).
  case invalidOption(String)
  /// The output is already there (codes are never written over).
  case outputExists(URL)
  /// A codes or compressed file that is not what its format says.
  case malformedFile(file: URL, reason: String)
  /// A file that cannot be read.
  case unreadable(file: URL, reason: String)
  /// A file or folder that cannot be written.
  case writeFailed(file: URL, reason: String)

  /// Text from files and flags (paths, names, keys) as it may appear in a message.
  private func t(_ text: String) -> String { UntrustedText.describe(text, limit: 400) }

  public var description: String {
    switch self {
    case .featureSet(let error):
      return error.description
    case .noHook:
      return "the autoencoder records no input hook; name the hook to read"
    case .invalidHook(let name, let reason):
      return "hook '\(t(name))': \(t(reason))"
    case .widthMismatch(let hook, let width, let expected):
      return
        "hook \(t(hook)) has width \(width), but the autoencoder's input width is \(expected); pick the hook it was trained on"
    case .notBinary(let architecture):
      return "the autoencoder is a \(architecture); only a BAE (architecture bae) has binary codes to compress"
    case .invalidOption(let reason):
      return reason
    case .outputExists(let url):
      return "\(t(url.path)) already exists; choose another output or remove it"
    case .malformedFile(let file, let reason):
      return "\(t(file.path)): \(t(reason))"
    case .unreadable(let file, let reason):
      return "\(t(file.path)): cannot read: \(t(reason))"
    case .writeFailed(let file, let reason):
      return "\(t(file.path)): cannot write: \(t(reason))"
    }
  }
}
