import Foundation

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

  public var description: String {
    switch self {
    case .cannotExport(let architecture, let reason):
      return "cannot export a \(architecture) autoencoder to SAELens: \(reason)"
    case .unsupportedArchitecture(let name, let file, let supported):
      return
        "\(file.path): SAELens architecture '\(name)' is not one bae runs (supported: \(supported.joined(separator: ", ")))"
    case .unsupportedSetting(let key, let value, let file, let reason):
      return "\(file.path): \(key) \(value) is not supported: \(reason)"
    case .malformedConfig(let file, let reason):
      return "\(file.path): \(reason)"
    case .missingTensor(let name, let file):
      return "\(file.path): no tensor '\(name)'"
    case .unexpectedTensor(let name, let file):
      return "\(file.path): tensor '\(name)' belongs to no architecture bae runs; refusing to drop it silently"
    case .tensorShape(let name, let file, let found, let expected):
      return "\(file.path): tensor '\(name)' has shape \(found); cfg.json implies \(expected)"
    case .unreadable(let file, let reason):
      return "\(file.path): cannot read: \(reason)"
    case .writeFailed(let file, let reason):
      return "\(file.path): cannot write: \(reason)"
    }
  }
}
