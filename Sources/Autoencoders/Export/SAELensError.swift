import Foundation
import JSONSupport

/// Why an autoencoder cannot be written to, or read from, a SAELens folder.
public enum SAELensError: Error, CustomStringConvertible, Equatable {
  /// The autoencoder has no SAELens form that computes the same function.
  case cannotExport(architecture: String, reason: String)
  /// `cfg.json` names an architecture (or a setting) `bae` cannot run as SAELens does.
  case unsupportedArchitecture(name: String, file: URL, supported: [String])
  /// A `cfg.json` setting `bae` does not apply (input normalisation, `hook_z` reshaping,
  /// decoder-norm rescaling, negative JumpReLU thresholds).
  case unsupportedSetting(key: String, value: String, file: URL, reason: String)
  /// `cfg.json` is missing, is not JSON, or a key is absent or has a value that makes no sense.
  case malformedConfig(file: URL, reason: String)
  /// A tensor `sae_weights.safetensors` must hold is not there.
  case missingTensor(name: String, file: URL)
  /// A tensor `bae` would ignore (an unknown architecture's extra weights): refused rather than
  /// silently dropped.
  case unexpectedTensor(name: String, file: URL)
  /// A tensor of another shape than `cfg.json` implies.
  case tensorShape(name: String, file: URL, found: [Int], expected: [Int])
  /// A file that cannot be read (missing, truncated, a non-float tensor, NaN weights).
  case unreadable(file: URL, reason: String)
  /// A file or folder that cannot be written.
  case writeFailed(file: URL, reason: String)

  /// Text from files and flags (paths, names, keys) as it may appear in a message.
  private func t(_ text: String) -> String { UntrustedText.describe(text, limit: 400) }

  public var description: String {
    switch self {
    case .cannotExport(let architecture, let reason):
      return "cannot export a \(architecture) autoencoder to SAELens: \(t(reason))"
    case .unsupportedArchitecture(let name, let file, let supported):
      return
        "\(t(file.path)): SAELens architecture '\(t(name))' is not one bae runs (supported: \(supported.map(t).joined(separator: ", ")))"
    case .unsupportedSetting(let key, let value, let file, let reason):
      return "\(t(file.path)): \(t(key)) \(t(value)) is not supported: \(t(reason))"
    case .malformedConfig(let file, let reason):
      return "\(t(file.path)): \(t(reason))"
    case .missingTensor(let name, let file):
      return "\(t(file.path)): no tensor '\(t(name))'"
    case .unexpectedTensor(let name, let file):
      return "\(t(file.path)): tensor '\(t(name))' belongs to no architecture bae runs; refusing to drop it silently"
    case .tensorShape(let name, let file, let found, let expected):
      return "\(t(file.path)): tensor '\(t(name))' has shape \(found); cfg.json implies \(expected)"
    case .unreadable(let file, let reason):
      return "\(t(file.path)): cannot read: \(t(reason))"
    case .writeFailed(let file, let reason):
      return "\(t(file.path)): cannot write: \(t(reason))"
    }
  }
}
