import Autoencoders
import FeatureSets
import Foundation
import HookPoints
import Studies
import TensorCore
import TestSupport
import Testing

/// Reconstruction statistics over a feature set, on an autoencoder whose codes are the signs of
/// chosen input coordinates, so every firing rate is known.
@Suite struct ReconstructionEvaluationTests {
  static let hook = HookPoint.residualPost(layer: 1)
  static let rowCount = 20

  /// 20 rows of width 4; coordinate j is positive on: j = 0, rows 0…14 (rate 0.75); j = 1,
  /// every fourth row (0.25); j = 2, even rows (0.5); j = 3, row 7 only (0.05).
  static let inputs: Matrix = {
    var x = Matrix(rows: rowCount, columns: 4)
    for r in 0..<rowCount {
      let positive = [r < 15, r % 4 == 0, r % 2 == 0, r == 7]
      for j in 0..<4 { x[r, j] = (positive[j] ? 1 : -1) * (1 + Float(r) * 0.1 + Float(j) * 0.37) }
    }
    return x
  }()

  /// Codes `h_j = [x_j > 0]` (a BAE) or `relu(x_j)` for j < 4, then code 4 with bias +1 (always
  /// on) and code 5 with bias −1 (never on); `x̂ = 2·h[0..<4] + 0.25·h_4·e_3 + (0.5, 0, 0, 0)`.
  static func autoencoder(_ architecture: Architecture, hook: HookPoint? = hook) throws -> Autoencoder {
    var encoder = Matrix(rows: 4, columns: 6)
    var decoder = Matrix(rows: 6, columns: 4)
    for j in 0..<4 {
      encoder[j, j] = 1
      decoder[j, j] = 2
    }
    decoder[4, 3] = 0.25
    return try EvaluationFixtures.autoencoder(
      architecture, hook: hook, encoder: encoder, encoderBias: [0, 0, 0, 0, 1, -1], decoder: decoder,
      decoderBias: [0.5, 0, 0, 0])
  }

  /// `x̂` and the FVU and MSE of the first `rows` rows, computed naively (two passes, Double).
  static func expected(_ architecture: Architecture, rows: Int) -> (fvu: Double, mse: Double) {
    var error = 0.0
    var deviation = 0.0
    for j in 0..<4 {
      let mean = (0..<rows).map { Double(inputs[$0, j]) }.reduce(0, +) / Double(rows)
      for r in 0..<rows {
        let x = Double(inputs[r, j])
        let h = architecture == .bae ? (x > 0 ? 1 : 0) : max(x, 0)
        let reconstruction = 2 * h + (j == 0 ? 0.5 : 0) + (j == 3 ? 0.25 : 0)
        error += (x - reconstruction) * (x - reconstruction)
        deviation += (x - mean) * (x - mean)
      }
    }
    return (error / deviation, error / Double(rows * 4))
  }

  func featureSet() throws -> FeatureSet {
    let directory = try ScratchDirectory("eval").url
    // Shards of 7 rows read in batches of 3: batches straddle shards, and the mean is merged.
    try FeatureSetFixture.write([(Self.hook, Self.inputs)], to: directory, shardRows: 7)
    return try FeatureSet(directory: directory)
  }

  func evaluate(
    _ ae: Autoencoder, threshold: Double? = nil, maxRows: Int? = nil
  ) throws -> ReconstructionStatistics {
    let activity = CodeActivity(binary: ae.configuration.architecture.isBinary, denseThreshold: threshold)
    return try ReconstructionEvaluation.evaluate(
      try featureSet(), autoencoder: ae, hooks: AutoencoderHooks(autoencoder: ae),
      options: ReconstructionOptions(batchSize: 3, maxRows: maxRows, activity: activity, context: .serial))
  }

  @Test func binaryCodesHaveTheirKnownFiringRates() throws {
    let s = try evaluate(try Self.autoencoder(.bae))
    #expect(s.rows == 20 && s.inputWidth == 4 && s.codeWidth == 6)
    #expect(s.firingRates == [0.75, 0.25, 0.5, 0.05, 1, 0])
    #expect(abs(s.l0 - 2.55) < 1e-12)
    #expect(s.dead == 2, "a bit always 1 and a bit always 0")
    #expect(s.dense == 2, "rates 0.75 and 1 are above 0.5; 0.5 itself is not")
    #expect(s.denseThreshold == 0.5)
    let h = { (p: Double) in -p * log2(p) - (1 - p) * log2(1 - p) }
    #expect(abs(try #require(s.entropyBits) - (h(0.75) + h(0.25) + h(0.5) + h(0.05))) < 1e-12)
    let (fvu, mse) = Self.expected(.bae, rows: 20)
    #expect(abs(try #require(s.fractionOfVarianceUnexplained) - fvu) < 1e-12 * fvu)
    #expect(abs(try #require(s.explainedVariance) - (1 - fvu)) < 1e-12)
    #expect(abs(s.mse - mse) < 1e-12 * mse)

    let lower = try evaluate(try Self.autoencoder(.bae), threshold: 0.2)
    #expect(lower.dense == 4 && lower.denseThreshold == 0.2)
  }

  /// The same weights as ReLU codes: the always-on code is alive (and dense), the never-on one
  /// dead; dense means above 0.1.
  @Test func sparseCodesHaveTheirKnownFiringRates() throws {
    let s = try evaluate(try Self.autoencoder(.relu))
    #expect(s.firingRates == [0.75, 0.25, 0.5, 0.05, 1, 0])
    #expect(s.dead == 1)
    #expect(s.dense == 4)
    #expect(s.entropyBits == nil)
    let (fvu, _) = Self.expected(.relu, rows: 20)
    #expect(abs(try #require(s.fractionOfVarianceUnexplained) - fvu) < 1e-12 * fvu)
  }

  @Test func aRowLimitReadsTheFirstRows() throws {
    let s = try evaluate(try Self.autoencoder(.bae), maxRows: 8)
    #expect(s.rows == 8)
    #expect(s.firingRates == [1, 0.25, 0.5, 0.125, 1, 0])
    let (fvu, _) = Self.expected(.bae, rows: 8)
    #expect(abs(try #require(s.fractionOfVarianceUnexplained) - fvu) < 1e-12 * fvu)
  }

  /// The JSON form has snake_case keys and leaves out the per-code rates.
  @Test func statisticsEncodeWithSnakeCaseKeys() throws {
    let s = try evaluate(try Self.autoencoder(.bae))
    let object = try #require(
      try JSONSerialization.jsonObject(with: JSONEncoder().encode(s)) as? [String: Any])
    #expect(
      Set(object.keys) == [
        "rows", "input_width", "code_width", "l0", "mse", "fvu", "explained_variance", "dead", "dense",
        "dense_threshold", "entropy_bits",
      ])
  }

  @Test func aHookOrWidthTheFeaturesLackIsRefused() throws {
    let set = try featureSet()
    let elsewhere = try Self.autoencoder(.bae, hook: .residualPost(layer: 2))
    let options = ReconstructionOptions(activity: CodeActivity(binary: true), context: .serial)
    #expect {
      try ReconstructionEvaluation.evaluate(
        set, autoencoder: elsewhere, hooks: AutoencoderHooks(autoencoder: elsewhere), options: options)
    } throws: { error in
      guard case .hookNotInFeatures(let hook, _, let available) = error as? EvaluationError else { return false }
      return hook == "blocks.2.hook_resid_post" && available == ["blocks.1.hook_resid_post"]
        && "\(error)".contains("blocks.2.hook_resid_post") && "\(error)".contains("blocks.1.hook_resid_post")
    }

    let wide = try EvaluationFixtures.identity(width: 8, hook: Self.hook)
    #expect {
      try ReconstructionEvaluation.evaluate(
        set, autoencoder: wide, hooks: AutoencoderHooks(autoencoder: wide), options: options)
    } throws: { error in
      guard case .widthMismatch(_, 8, _, 4) = error as? EvaluationError else { return false }
      return "\(error)".contains("width 8") && "\(error)".contains("width 4")
    }

    let unnamed = try Self.autoencoder(.bae, hook: nil)
    #expect(throws: EvaluationError.noHook) { try AutoencoderHooks(autoencoder: unnamed) }
    let named = try AutoencoderHooks(autoencoder: unnamed, input: Self.hook)
    #expect(named.input == Self.hook && named.output == Self.hook)
  }
}
