import Foundation
import JSONSupport

/// Why an autoencoder cannot be evaluated against a feature set or a model.
public enum EvaluationError: Error, CustomStringConvertible, Equatable {
  /// The autoencoder's `config.json` records no input hook, and none was given.
  case noHook
  /// A hook name that does not parse.
  case invalidHook(name: String, reason: String)
  /// The autoencoder's hook is not a point of the model (a layer the model does not have).
  case hookNotInModel(hook: String, model: String, layerCount: Int)
  /// The autoencoder's width differs from the width of its hook in the model or feature set.
  case widthMismatch(hook: String, autoencoderWidth: Int, source: String, width: Int)
  /// The feature set does not hold the autoencoder's hook.
  case hookNotInFeatures(hook: String, features: String, available: [String])
  /// An option that makes no sense (a threshold outside 0…1, a batch size of 0, …).
  case invalidOption(String)
  /// Nothing to evaluate: no rows, or no next-token prediction at a replaced position.
  case nothingToEvaluate(String)
  /// A feature-set shard could not be read.
  case unreadableFeatures(String)

  /// Text from files and flags (paths, names, keys) as it may appear in a message.
  private func t(_ text: String) -> String { UntrustedText.describe(text, limit: 400) }

  public var description: String {
    switch self {
    case .noHook:
      "the autoencoder records no input hook in its config.json; name the hook it reads (e.g. resid_post:12)"
    case .invalidHook(let name, let reason):
      "hook '\(t(name))': \(t(reason))"
    case .hookNotInModel(let hook, let model, let layerCount):
      "the autoencoder reads \(t(hook)), which the model \(t(model)) does not have (it has layers 0…\(layerCount - 1)); evaluate it with the model it was trained on"
    case .widthMismatch(let hook, let autoencoderWidth, let source, let width):
      "the autoencoder reads \(t(hook)) with width \(autoencoderWidth), but \(t(source)) has width \(width) there; evaluate it with the model (or features) it was trained on"
    case .hookNotInFeatures(let hook, let features, let available):
      "the autoencoder reads \(t(hook)), but the feature set \(t(features)) holds \(available.map(t).joined(separator: ", ")); give features extracted at \(t(hook))"
    case .invalidOption(let reason):
      reason
    case .nothingToEvaluate(let what):
      "nothing to evaluate: \(t(what))"
    case .unreadableFeatures(let reason):
      "cannot read the feature set: \(t(reason))"
    }
  }
}
