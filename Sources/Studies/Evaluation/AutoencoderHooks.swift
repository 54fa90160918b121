import Autoencoders
import FeatureSets
import HookPoints
import Models

/// Where an autoencoder sits in a model: the point it reads and the point its reconstruction
/// stands for (the same point for an autoencoder; a transcoder's target, e.g. `mlp_out`, for
/// a transcoder), checked against a model or a feature set.
public struct AutoencoderHooks: Sendable, Equatable {
  /// The point the encoder reads.
  public var input: HookPoint
  /// The point the decoder reconstructs, where an evaluation splices the reconstruction in.
  public var output: HookPoint

  /// Given points.
  public init(input: HookPoint, output: HookPoint) {
    self.input = input
    self.output = output
  }

  /// The hooks recorded in `autoencoder`'s configuration, or `input` instead of its input hook.
  ///
  /// - Throws: ``EvaluationError/noHook`` when neither names an input,
  ///   ``EvaluationError/invalidHook(name:reason:)`` for a recorded name that does not parse.
  public init(autoencoder: Autoencoder, input: HookPoint? = nil) throws(EvaluationError) {
    let c = autoencoder.configuration
    func parse(_ name: String) throws(EvaluationError) -> HookPoint {
      do {
        return try HookPoint(name: name)
      } catch {
        throw .invalidHook(name: name, reason: error.description)
      }
    }
    if let input {
      self.input = input
    } else {
      guard let name = c.inputHook else { throw .noHook }
      self.input = try parse(name)
    }
    output = try c.targetHook.map { name throws(EvaluationError) in try parse(name) } ?? self.input
  }

  /// Checks both points exist in a model of `configuration` at the autoencoder's width.
  ///
  /// - Parameter model: how errors name the model (its path).
  /// - Throws: ``EvaluationError/hookNotInModel(hook:model:layerCount:)``,
  ///   ``EvaluationError/widthMismatch(hook:autoencoderWidth:source:width:)``.
  public func check(
    _ autoencoder: Autoencoder, against configuration: LlamaConfiguration, model: String
  ) throws(EvaluationError) {
    for point in [input, output] {
      if let layer = point.layer, layer >= configuration.layerCount {
        throw .hookNotInModel(hook: point.name, model: model, layerCount: configuration.layerCount)
      }
      let width = point == .logits ? configuration.vocabularySize : configuration.hiddenSize
      guard width == autoencoder.configuration.inputWidth else {
        throw .widthMismatch(
          hook: point.name, autoencoderWidth: autoencoder.configuration.inputWidth, source: "the model \(model)",
          width: width)
      }
    }
  }

  /// Checks `set` holds both points at the autoencoder's width.
  ///
  /// - Returns: the points to read from the set: the input, then the output when it differs.
  /// - Throws: ``EvaluationError/hookNotInFeatures(hook:features:available:)``,
  ///   ``EvaluationError/widthMismatch(hook:autoencoderWidth:source:width:)``.
  @discardableResult
  public func check(_ autoencoder: Autoencoder, against set: FeatureSet) throws(EvaluationError) -> [HookPoint] {
    let points = input == output ? [input] : [input, output]
    let name = set.directories.map(\.path).joined(separator: " + ")
    for point in points {
      guard let record = set.hooks.first(where: { $0.name == point.name }) else {
        throw .hookNotInFeatures(hook: point.name, features: name, available: set.hooks.map(\.name))
      }
      guard record.width == autoencoder.configuration.inputWidth else {
        throw .widthMismatch(
          hook: point.name, autoencoderWidth: autoencoder.configuration.inputWidth, source: "the feature set \(name)",
          width: record.width)
      }
    }
    return points
  }
}
