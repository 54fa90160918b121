import Checkpoints
import Foundation
import HookPoints
import JSONSupport

/// Writes an autoencoder as a SAELens folder (``SAELensLayout``): `cfg.json` and
/// `sae_weights.safetensors`, which `SAE.load_from_disk` reads for `standard`, `topk` and
/// `jumprelu`, and which a few lines of NumPy run for every architecture
/// (`scripts/sae_from_bae.py`).
///
/// The SAELens functions match `bae`'s because `cfg.json` says `apply_b_dec_to_input: false`
/// (the reference's encoders do not subtract `b_dec`) and `normalize_activations: "none"`
/// (`bae` trains on raw hidden states). Two differences remain, both at points a trained SAE
/// rarely reaches:
/// - SAELens TopK passes the kept values through a ReLU; `bae` (like the reference) keeps them
///   as they are, and keeps every value tied with the k-th. Rows whose k-th largest
///   pre-activation is positive and untied encode the same.
/// - SAELens JumpReLU computes `ReLU(z)·1[z > θ]`, `bae` `z·1[z > θ]`: the same for `θ ≥ 0`,
///   so negative thresholds are refused.
public enum SAELensExport {
  /// Writes `autoencoder` into `directory` (created if needed; `cfg.json` and
  /// `sae_weights.safetensors` replaced atomically).
  ///
  /// - Parameters:
  ///   - hookName: `hook_name` (default: the configuration's ``AutoencoderConfiguration/inputHook``).
  ///   - modelName: `model_name` (default: the configuration's ``AutoencoderConfiguration/model``).
  /// - Throws: ``SAELensError/cannotExport(architecture:reason:)`` for an autoencoder SAELens
  ///   cannot represent (see ``configuration(for:hookName:modelName:)``),
  ///   ``SAELensError/writeFailed(file:reason:)``.
  public static func write(
    _ autoencoder: Autoencoder, to directory: URL, hookName: String? = nil, modelName: String? = nil
  ) throws(SAELensError) {
    // SAELens has no place for bae's fitted input scaling: fold it into the weights.
    guard let autoencoder = autoencoder.foldingNormalization() else {
      throw .cannotExport(
        architecture: autoencoder.configuration.architecture.rawValue,
        reason: "its input normalisation cannot be folded through the output activation")
    }
    let config = try configuration(for: autoencoder, hookName: hookName, modelName: modelName)
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
      throw .writeFailed(file: directory, reason: error.localizedDescription)
    }
    let weightsURL = directory.appendingPathComponent(SAELensLayout.weightsName)
    do {
      try tensors(of: autoencoder).write(to: weightsURL)
    } catch {
      guard case .writeFailed(_, let reason) = error else {
        throw .writeFailed(file: weightsURL, reason: error.description)
      }
      throw .writeFailed(file: weightsURL, reason: reason)
    }
    let configURL = directory.appendingPathComponent(SAELensLayout.configName)
    do {
      try AtomicFile.write(config.serialized(pretty: true) + Data("\n".utf8), to: configURL)
    } catch {
      throw .writeFailed(file: configURL, reason: error.reason)
    }
  }

  /// The `cfg.json` document of `autoencoder`.
  ///
  /// Keys: `architecture`, `d_in`, `d_sae`, `dtype` (`float32`), `device` (`cpu`),
  /// `apply_b_dec_to_input` (`false`), `normalize_activations` (`none`), `reshape_activations`
  /// (`none`); `hook_name`, `hook_layer`, `hook_head_index`, `model_name` both at the top level
  /// (the pre-6.0 spelling) and in `metadata` (6.0, with `sae_lens_version`); TopK adds `k`,
  /// `rescale_acts_by_decoder_norm` and `activation_fn_kwargs: {k}`; a BAE adds `estimator`
  /// (`sign`, `sign_s`, `sigmoid`, `squarewave`: training only), `output_activation` (`none`,
  /// `sigmoid`, `tanh`, `relu`: applied to `codes·W_dec + b_dec`) and `decoder_bias` (whether
  /// `b_dec` was trained; it is written, as zeros, either way). `metadata.bae_configuration`
  /// holds the whole ``AutoencoderConfiguration``; a transcoder's target hook is also in
  /// `metadata.hook_name_out`.
  ///
  /// - Throws: ``SAELensError/cannotExport(architecture:reason:)``: BatchTopK (its codes depend
  ///   on the whole batch), an SAE with an output activation (SAELens decoders have none),
  ///   negative JumpReLU thresholds, weights that hold NaN or infinity.
  public static func configuration(
    for autoencoder: Autoencoder, hookName: String? = nil, modelName: String? = nil
  ) throws(SAELensError) -> JSONValue {
    let c = autoencoder.configuration
    let architecture = c.architecture
    guard let name = SAELensLayout.architectureName(for: architecture) else {
      throw .cannotExport(
        architecture: architecture.rawValue,
        reason:
          "BatchTopK codes depend on the whole batch; SAELens runs BatchTopK SAEs as JumpReLU with thresholds learned in training, which this autoencoder does not have"
      )
    }
    if architecture != .bae, c.outputActivation != .none {
      throw .cannotExport(
        architecture: architecture.rawValue,
        reason: "SAELens decoders have no output activation, and this one applies \(c.outputActivation.rawValue)")
    }
    if architecture == .jumprelu, let j = autoencoder.weights.threshold.values.firstIndex(where: { !($0 >= 0) }) {
      throw .cannotExport(
        architecture: architecture.rawValue,
        reason:
          "code \(j) has threshold \(autoencoder.weights.threshold.values[j]); SAELens JumpReLU computes ReLU(z)·1[z > θ], which equals bae's z·1[z > θ] only for θ ≥ 0"
      )
    }
    guard autoencoder.weights.isFinite else {
      throw .cannotExport(architecture: architecture.rawValue, reason: "the weights hold NaN or infinity")
    }

    let hook = hookName ?? c.inputHook
    let model = modelName ?? c.model
    let layer = hook.flatMap { try? HookPoint(name: $0) }?.layer
    // The recorded configuration names the hook and model the folder does.
    var embedded = c
    embedded.inputHook = hook
    embedded.model = model
    let hookValue: JSONValue = hook.map { .string($0) } ?? .null
    let modelValue: JSONValue = model.map { .string($0) } ?? .null
    let layerValue: JSONValue = layer.map { JSONValue($0) } ?? .null

    var metadata: [String: JSONValue] = [
      "sae_lens_version": .string(SAELensLayout.version), "sae_lens_training_version": .null,
      "model_name": modelValue, "hook_name": hookValue, "hook_layer": layerValue, "hook_head_index": .null,
      "exported_by": "bae", SAELensLayout.configurationKey: try encoded(embedded),
    ]
    if let target = c.targetHook { metadata["hook_name_out"] = .string(target) }

    var config: [String: JSONValue] = [
      "architecture": .string(name), "d_in": JSONValue(c.inputWidth), "d_sae": JSONValue(c.codeWidth),
      "dtype": "float32", "device": "cpu", "apply_b_dec_to_input": false, "normalize_activations": "none",
      "reshape_activations": "none", "hook_name": hookValue, "hook_layer": layerValue, "hook_head_index": .null,
      "model_name": modelValue, "metadata": .object(metadata),
    ]
    switch architecture {
    case .topk:
      config["k"] = JSONValue(c.topK)
      config["rescale_acts_by_decoder_norm"] = false
      config["activation_fn_kwargs"] = ["k": JSONValue(c.topK)]
    case .bae:
      config["estimator"] = .string(c.estimator.rawValue)
      config["output_activation"] = .string(c.outputActivation.rawValue)
      config["decoder_bias"] = .bool(c.decoderBias)
    case .relu, .transcoder, .jumprelu, .batchtopk:
      break
    }
    return .object(config)
  }

  /// The tensors of `sae_weights.safetensors` (vectors 1-D, as SAELens stores them).
  static func tensors(of autoencoder: Autoencoder) -> SafetensorsWriter {
    var writer = SafetensorsWriter()
    let w = autoencoder.weights
    let (d, m) = (autoencoder.configuration.inputWidth, autoencoder.configuration.codeWidth)
    writer.add("W_enc", floats: w.encoderWeight.values, shape: [d, m])
    writer.add("b_enc", floats: w.encoderBias.values, shape: [m])
    writer.add("W_dec", floats: w.decoderWeight.values, shape: [m, d])
    writer.add("b_dec", floats: w.decoderBias.values, shape: [d])
    if autoencoder.configuration.architecture == .jumprelu {
      writer.add("threshold", floats: w.threshold.values, shape: [m])
    }
    return writer
  }

  /// `configuration` as a JSON value (the `config.json` spelling of ``AutoencoderFiles``).
  static func encoded(_ configuration: AutoencoderConfiguration) throws(SAELensError) -> JSONValue {
    do {
      return try JSONValue.parse(JSONEncoder().encode(configuration), document: "the autoencoder configuration")
    } catch {
      // Encoding a configuration of plain values cannot fail.
      preconditionFailure("cannot encode \(configuration): \(error)")
    }
  }
}
