import Foundation

/// The shape and behaviour of one autoencoder: what `config.json` records next to the weights,
/// and everything needed to apply it again.
///
/// Keys are the property names. Unknown keys are refused (a typo must not silently fall back to
/// a default).
public struct AutoencoderConfiguration: Codable, Sendable, Equatable {
  /// Which architecture.
  public var architecture: Architecture
  /// Input width `d` (the hook's width).
  public var inputWidth: Int
  /// Code width `d'` (`expand · d` by default).
  public var codeWidth: Int
  /// BAE only: the straight-through gradient estimator of the binarization (reference default
  /// `sign_s`).
  public var estimator: BinarizationEstimator
  /// Output activation after the decoder (reference default `none`).
  public var outputActivation: OutputActivation
  /// Whether the decoder has a bias `b` (the reference's `--bias`).
  public var decoderBias: Bool
  /// TopK / BatchTopK: codes kept per row (on average, for BatchTopK).
  public var topK: Int
  /// JumpReLU: the initial (and, unless learned, fixed) threshold θ (reference 0.5).
  public var jumpThreshold: Float
  /// JumpReLU: learn the per-code thresholds with the straight-through estimator of the
  /// JumpReLU SAE paper (Rajamanoharan et al. 2024; rectangle kernel of width
  /// ``thresholdBandwidth``, reconstruction path only). Off by default: the reference fixes θ.
  public var learnThreshold: Bool
  /// JumpReLU: the kernel width ε of the threshold estimator (default 0.001, the paper's).
  public var thresholdBandwidth: Float
  /// Hook the inputs come from (`blocks.15.hook_resid_post`), if known.
  public var inputHook: String?
  /// Hook the reconstruction targets come from (the transcoder's `blocks.L.hook_mlp_out`); `nil`
  /// for an autoencoder (targets = inputs).
  public var targetHook: String?
  /// Model the hooks belong to, if known.
  public var model: String?
  /// Scaling of inputs before the encoder (fitted on the training rows).
  public var normalization: InputNormalization

  /// A configuration with the reference code's defaults for everything not given.
  public init(
    architecture: Architecture, inputWidth: Int, codeWidth: Int, estimator: BinarizationEstimator = .signS,
    outputActivation: OutputActivation = .none, decoderBias: Bool = true, topK: Int = 10, jumpThreshold: Float = 0.5,
    learnThreshold: Bool = false, thresholdBandwidth: Float = 0.001, inputHook: String? = nil,
    targetHook: String? = nil, model: String? = nil, normalization: InputNormalization = .none
  ) {
    self.architecture = architecture
    self.inputWidth = inputWidth
    self.codeWidth = codeWidth
    self.estimator = estimator
    self.outputActivation = outputActivation
    self.decoderBias = decoderBias
    self.topK = topK
    self.jumpThreshold = jumpThreshold
    self.learnThreshold = learnThreshold
    self.thresholdBandwidth = thresholdBandwidth
    self.inputHook = inputHook
    self.targetHook = targetHook
    self.model = model
    self.normalization = normalization
  }

  /// Checks the values against each other.
  ///
  /// - Throws: ``AutoencoderError/invalidConfiguration(key:reason:)``.
  public func validate() throws(AutoencoderError) {
    guard inputWidth > 0 else {
      throw .invalidConfiguration(key: "inputWidth", reason: "must be positive, got \(inputWidth)")
    }
    guard codeWidth > 0 else {
      throw .invalidConfiguration(key: "codeWidth", reason: "must be positive, got \(codeWidth)")
    }
    if architecture == .topk || architecture == .batchtopk {
      guard topK >= 1, topK < codeWidth else {
        throw .invalidConfiguration(key: "topK", reason: "must be in 1..<\(codeWidth) (the code width), got \(topK)")
      }
    }
    if architecture == .jumprelu, !jumpThreshold.isFinite {
      throw .invalidConfiguration(key: "jumpThreshold", reason: "must be finite")
    }
    if learnThreshold, !(thresholdBandwidth > 0 && thresholdBandwidth.isFinite) {
      throw .invalidConfiguration(key: "thresholdBandwidth", reason: "must be positive, got \(thresholdBandwidth)")
    }
    if learnThreshold, architecture != .jumprelu {
      throw .invalidConfiguration(key: "learnThreshold", reason: "applies to jumprelu only")
    }
    if case .perDimension(let mean, _) = normalization, mean.count != inputWidth {
      throw .invalidConfiguration(
        key: "normalization", reason: "has \(mean.count) dimensions, the input width is \(inputWidth)")
    }
    if architecture == .transcoder, targetHook == nil {
      throw .invalidConfiguration(
        key: "targetHook", reason: "a transcoder needs a target hook (e.g. blocks.L.hook_mlp_out)")
    }
  }

  enum CodingKeys: String, CodingKey, CaseIterable {
    case architecture, inputWidth, codeWidth, estimator, outputActivation, decoderBias, topK, jumpThreshold
    case learnThreshold, thresholdBandwidth, inputHook, targetHook, model, normalization
  }

  public init(from decoder: any Decoder) throws {
    try rejectUnknownKeys(decoder, known: CodingKeys.allCases.map(\.rawValue), in: "the autoencoder configuration")
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      architecture: try c.decode(Architecture.self, forKey: .architecture),
      inputWidth: try c.decode(Int.self, forKey: .inputWidth), codeWidth: try c.decode(Int.self, forKey: .codeWidth),
      estimator: try c.decodeIfPresent(BinarizationEstimator.self, forKey: .estimator) ?? .signS,
      outputActivation: try c.decodeIfPresent(OutputActivation.self, forKey: .outputActivation) ?? .none,
      decoderBias: try c.decodeIfPresent(Bool.self, forKey: .decoderBias) ?? true,
      topK: try c.decodeIfPresent(Int.self, forKey: .topK) ?? 10,
      jumpThreshold: try c.decodeIfPresent(Float.self, forKey: .jumpThreshold) ?? 0.5,
      learnThreshold: try c.decodeIfPresent(Bool.self, forKey: .learnThreshold) ?? false,
      thresholdBandwidth: try c.decodeIfPresent(Float.self, forKey: .thresholdBandwidth) ?? 0.001,
      inputHook: try c.decodeIfPresent(String.self, forKey: .inputHook),
      targetHook: try c.decodeIfPresent(String.self, forKey: .targetHook),
      model: try c.decodeIfPresent(String.self, forKey: .model),
      normalization: try c.decodeIfPresent(InputNormalization.self, forKey: .normalization) ?? .none)
  }
}

/// Throws a `DecodingError` naming the first key of the object being decoded that is not in
/// `known`, with the closest known key as a suggestion.
func rejectUnknownKeys(_ decoder: any Decoder, known: [String], in what: String) throws {
  struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }
  let container = try decoder.container(keyedBy: AnyKey.self)
  for key in container.allKeys where !known.contains(key.stringValue) {
    let suggestion = known.min { editDistance($0, key.stringValue) < editDistance($1, key.stringValue) }
    let hint = suggestion.map { "; did you mean '\($0)'?" } ?? ""
    throw DecodingError.dataCorrupted(
      .init(
        codingPath: decoder.codingPath + [key], debugDescription: "unknown key '\(key.stringValue)' in \(what)\(hint)"))
  }
}

/// Levenshtein distance (for key suggestions).
func editDistance(_ a: String, _ b: String) -> Int {
  let a = Array(a.lowercased())
  let b = Array(b.lowercased())
  var previous = Array(0...b.count)
  for i in 1...max(1, a.count) where !a.isEmpty {
    var current = [i] + Array(repeating: 0, count: b.count)
    for j in 1...max(1, b.count) where !b.isEmpty {
      current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return a.isEmpty ? b.count : previous[b.count]
}
