import Checkpoints
import Foundation
import JSONSupport
import TensorCore

/// Reads a SAELens folder (``SAELensLayout``) into an ``Autoencoder``: one written by
/// ``SAELensExport`` (restored exactly from `metadata.bae_configuration`), or a SAELens
/// `standard`, `topk` or `jumprelu` SAE saved by SAELens itself (6.x `cfg.json`, or the pre-6.0
/// flat spelling with `hook_point` and `activation_fn_kwargs`).
///
/// `apply_b_dec_to_input: true` (SAELens's default) is folded into the encoder bias,
/// `b_enc − b_dec·W_enc`, since `(x − b_dec)·W_enc + b_enc = x·W_enc + (b_enc − b_dec·W_enc)`;
/// reconstructions then agree with SAELens's up to float rounding.
public enum SAELensImport {
  /// Reads the folder `directory`.
  ///
  /// - Throws: ``SAELensError``: `.unsupportedArchitecture` (anything but `standard`, `topk`,
  ///   `jumprelu`, `bae`: gated, transcoders with a skip, …), `.unsupportedSetting`
  ///   (`normalize_activations` other than `none`, `reshape_activations: hook_z`,
  ///   `rescale_acts_by_decoder_norm`, negative JumpReLU thresholds), `.malformedConfig` (no or
  ///   unparsable `cfg.json`, a missing or mistyped key, widths that make no sense),
  ///   `.missingTensor`, `.unexpectedTensor`, `.tensorShape`, `.unreadable` (a weights file that
  ///   cannot be read, NaN weights).
  public static func read(from directory: URL) throws(SAELensError) -> Autoencoder {
    let configURL = directory.appendingPathComponent(SAELensLayout.configName)
    let weightsURL = directory.appendingPathComponent(SAELensLayout.weightsName)
    guard FileManager.default.fileExists(atPath: configURL.path) else {
      throw .malformedConfig(file: configURL, reason: "no \(SAELensLayout.configName): not a SAELens folder")
    }
    let data: Data
    do {
      data = try Data(contentsOf: configURL)
    } catch {
      throw .unreadable(file: configURL, reason: error.localizedDescription)
    }
    let parsed: ParsedConfig
    do {
      parsed = try ParsedConfig(try JSONElement.parse(data, document: SAELensLayout.configName))
    } catch {
      throw .malformedConfig(file: configURL, reason: error.description)
    }
    let configuration = try parsed.configuration(file: configURL)
    var weights = try readWeights(from: weightsURL, configuration: configuration)
    if parsed.applyDecoderBiasToInput { foldDecoderBiasIntoEncoder(&weights) }
    try check(weights, configuration: configuration, configFile: configURL, weightsFile: weightsURL)
    var resolved = configuration
    if parsed.baeConfiguration == nil, configuration.architecture == .jumprelu,
      let first = weights.threshold.values.first, weights.threshold.values.allSatisfy({ $0 == first })
    {
      resolved.jumpThreshold = first
    }
    do {
      return try Autoencoder(configuration: resolved, weights: weights)
    } catch {
      throw .malformedConfig(file: configURL, reason: error.description)
    }
  }

  /// The tensors of `sae_weights.safetensors`, after checking their names and shapes.
  static func readWeights(from url: URL, configuration c: AutoencoderConfiguration) throws(SAELensError)
    -> AutoencoderWeights
  {
    let file: SafetensorsFile
    do {
      file = try SafetensorsFile(url)
    } catch {
      throw .unreadable(file: url, reason: error.description)
    }
    let (d, m) = (c.inputWidth, c.codeWidth)
    var expected: [(String, [Int])] = [("W_enc", [d, m]), ("b_enc", [m]), ("W_dec", [m, d]), ("b_dec", [d])]
    if c.architecture == .jumprelu { expected.append(("threshold", [m])) }
    for name in file.tensorNames where !expected.contains(where: { $0.0 == name }) {
      throw .unexpectedTensor(name: name, file: url)
    }
    var tensors: [String: Matrix] = [:]
    for (name, shape) in expected {
      guard let info = file.info(for: name) else { throw .missingTensor(name: name, file: url) }
      // Vectors are 1-D in SAELens files; `[1, n]` is accepted too.
      guard info.shape == shape || (shape.count == 1 && info.shape == [1] + shape) else {
        throw .tensorShape(name: name, file: url, found: info.shape, expected: shape)
      }
      let values: [Float]
      do {
        values = try file.floats(name)
      } catch {
        throw .unreadable(file: url, reason: error.description)
      }
      tensors[name] =
        shape.count == 2
        ? Matrix(rows: shape[0], columns: shape[1], values: values) : Matrix(rows: 1, columns: shape[0], values: values)
    }
    return AutoencoderWeights(
      encoderWeight: tensors["W_enc"]!, encoderBias: tensors["b_enc"]!, decoderWeight: tensors["W_dec"]!,
      decoderBias: tensors["b_dec"]!, threshold: tensors["threshold"] ?? Matrix(rows: 1, columns: 0))
  }

  /// `b_enc ← b_enc − b_dec·W_enc` (accumulated in Double).
  static func foldDecoderBiasIntoEncoder(_ w: inout AutoencoderWeights) {
    let (d, m) = (w.encoderWeight.rows, w.encoderWeight.columns)
    var shift = [Double](repeating: 0, count: m)
    for i in 0..<d {
      let b = Double(w.decoderBias.values[i])
      guard b != 0 else { continue }
      for j in 0..<m { shift[j] += b * Double(w.encoderWeight[i, j]) }
    }
    w.encoderBias = Matrix(
      rows: 1, columns: m, values: (0..<m).map { Float(Double(w.encoderBias.values[$0]) - shift[$0]) })
  }

  /// Values `bae` cannot run as SAELens would.
  static func check(
    _ weights: AutoencoderWeights, configuration c: AutoencoderConfiguration, configFile: URL, weightsFile: URL
  ) throws(SAELensError) {
    guard weights.isFinite else { throw .unreadable(file: weightsFile, reason: "the weights hold NaN or infinity") }
    if c.architecture == .jumprelu, let j = weights.threshold.values.firstIndex(where: { $0 < 0 }) {
      throw .unsupportedSetting(
        key: "threshold[\(j)]", value: "\(weights.threshold.values[j])", file: weightsFile,
        reason: "SAELens JumpReLU computes ReLU(z)·1[z > θ], bae z·1[z > θ]; they agree only for θ ≥ 0")
    }
    if !c.decoderBias, weights.decoderBias.values.contains(where: { $0 != 0 }) {
      throw .malformedConfig(file: configFile, reason: "decoder_bias is false but b_dec holds non-zero values")
    }
  }
}

/// The keys of a SAELens `cfg.json` that decide what the autoencoder computes, in either
/// spelling (6.x: hook and model in `metadata`; pre-6.0: flat, `hook_point`, `activation_fn_str`).
struct ParsedConfig {
  var architecture: String
  var inputWidth: Int
  var codeWidth: Int
  var applyDecoderBiasToInput: Bool
  var normalizeActivations: String
  var reshapeActivations: String
  var rescaleByDecoderNorm: Bool
  var legacyActivation: String?
  var k: Int?
  var hookName: String?
  var targetHookName: String?
  var modelName: String?
  var estimator: String?
  var outputActivation: String?
  var decoderBias: Bool?
  var baeConfiguration: JSONValue?

  init(_ root: JSONElement) throws(JSONError) {
    let metadata = try root.optional("metadata")
    func string(_ key: String, legacy: [String] = []) throws(JSONError) -> String? {
      if let value = try metadata?.optional(key) { return try value.string() }
      for name in [key] + legacy { if let value = try root.optional(name) { return try value.string() } }
      return nil
    }
    architecture = try root.optional("architecture")?.string() ?? "standard"
    inputWidth = try root.required("d_in").int()
    codeWidth = try root.required("d_sae").int()
    // SAELens's own default is true.
    applyDecoderBiasToInput = try root.bool("apply_b_dec_to_input", default: true)
    if let normalize = try root.optional("normalize_activations") {
      // Pre-6.0 files may hold a boolean (true meant expected_average_only_in).
      if let flag = normalize.value.boolValue {
        normalizeActivations = flag ? "expected_average_only_in" : "none"
      } else {
        normalizeActivations = try normalize.string()
      }
    } else {
      normalizeActivations = "none"
    }
    reshapeActivations = try root.optional("reshape_activations")?.string() ?? "none"
    rescaleByDecoderNorm = try root.bool("rescale_acts_by_decoder_norm", default: false)
    // `??` takes an untyped-throwing autoclosure, so the fallbacks are spelled out.
    legacyActivation = try root.optional("activation_fn")?.string()
    if legacyActivation == nil { legacyActivation = try root.optional("activation_fn_str")?.string() }
    k = try root.optional("k")?.int()
    if k == nil { k = try root.optional("activation_fn_kwargs")?.optional("k")?.int() }
    hookName = try string("hook_name", legacy: ["hook_point"])
    targetHookName = try string("hook_name_out")
    modelName = try string("model_name")
    estimator = try root.optional("estimator")?.string()
    outputActivation = try root.optional("output_activation")?.string()
    decoderBias = try root.optional("decoder_bias")?.bool()
    baeConfiguration = try metadata?.optional(SAELensLayout.configurationKey)?.value
  }

  /// The `bae` configuration this file describes.
  func configuration(file: URL) throws(SAELensError) -> AutoencoderConfiguration {
    guard inputWidth > 0, codeWidth > 0 else {
      throw .malformedConfig(file: file, reason: "d_in and d_sae must be positive, got \(inputWidth) and \(codeWidth)")
    }
    guard normalizeActivations == "none" else {
      throw .unsupportedSetting(
        key: "normalize_activations", value: normalizeActivations, file: file,
        reason:
          "bae applies autoencoders to raw activations; fold a constant scale into W_enc, W_dec and b_dec and set it to \"none\""
      )
    }
    guard reshapeActivations == "none" else {
      throw .unsupportedSetting(
        key: "reshape_activations", value: reshapeActivations, file: file,
        reason: "bae hooks have no per-head (hook_z) activations")
    }
    let resolvedArchitecture = try architectureName(file: file)
    if let bae = baeConfiguration { return try restored(bae, architecture: resolvedArchitecture, file: file) }
    var c: AutoencoderConfiguration
    switch resolvedArchitecture {
    case "standard":
      c = AutoencoderConfiguration(architecture: .relu, inputWidth: inputWidth, codeWidth: codeWidth)
    case "topk":
      guard let k else { throw .malformedConfig(file: file, reason: "a topk SAE needs k (or activation_fn_kwargs.k)") }
      guard !rescaleByDecoderNorm else {
        throw .unsupportedSetting(
          key: "rescale_acts_by_decoder_norm", value: "true", file: file, reason: "bae's TopK ranks raw pre-activations"
        )
      }
      c = AutoencoderConfiguration(architecture: .topk, inputWidth: inputWidth, codeWidth: codeWidth, topK: k)
    case "jumprelu":
      c = AutoencoderConfiguration(architecture: .jumprelu, inputWidth: inputWidth, codeWidth: codeWidth)
    default:  // "bae"
      c = AutoencoderConfiguration(architecture: .bae, inputWidth: inputWidth, codeWidth: codeWidth)
      if let estimator {
        guard let value = BinarizationEstimator(rawValue: estimator) else {
          throw .malformedConfig(
            file: file,
            reason: "estimator '\(estimator)' is not one of \(BinarizationEstimator.allCases.map(\.rawValue))")
        }
        c.estimator = value
      }
      if let outputActivation {
        guard let value = OutputActivation(rawValue: outputActivation) else {
          throw .malformedConfig(
            file: file,
            reason: "output_activation '\(outputActivation)' is not one of \(OutputActivation.allCases.map(\.rawValue))"
          )
        }
        c.outputActivation = value
      }
      c.decoderBias = decoderBias ?? true
    }
    c.inputHook = hookName
    c.model = modelName
    return c
  }

  /// The SAELens architecture, after the pre-6.0 `activation_fn` spelling of TopK.
  private func architectureName(file: URL) throws(SAELensError) -> String {
    var name = architecture
    if name == "standard", let activation = legacyActivation, activation != "relu" {
      guard activation == "topk" else {
        throw .unsupportedArchitecture(
          name: "standard with activation_fn \(activation)", file: file, supported: SAELensLayout.readableArchitectures)
      }
      name = "topk"
    }
    guard SAELensLayout.readableArchitectures.contains(name) else {
      throw .unsupportedArchitecture(name: name, file: file, supported: SAELensLayout.readableArchitectures)
    }
    return name
  }

  /// The configuration `bae export` recorded, after checking it agrees with the SAELens keys.
  private func restored(_ value: JSONValue, architecture: String, file: URL) throws(SAELensError)
    -> AutoencoderConfiguration
  {
    var c: AutoencoderConfiguration
    do {
      c = try JSONDecoder().decode(AutoencoderConfiguration.self, from: value.serialized())
    } catch let error as DecodingError {
      throw .malformedConfig(
        file: file, reason: "metadata.\(SAELensLayout.configurationKey): \(error.plainDescription)")
    } catch {
      throw .malformedConfig(file: file, reason: "metadata.\(SAELensLayout.configurationKey): \(error)")
    }
    guard SAELensLayout.architectureName(for: c.architecture) == architecture, c.inputWidth == inputWidth,
      c.codeWidth == codeWidth, c.architecture != .topk || k == nil || k == c.topK
    else {
      throw .malformedConfig(
        file: file,
        reason:
          "metadata.\(SAELensLayout.configurationKey) (\(c.architecture.rawValue), \(c.inputWidth) → \(c.codeWidth)) disagrees with architecture \(architecture), d_in \(inputWidth), d_sae \(codeWidth)"
      )
    }
    return c
  }
}
