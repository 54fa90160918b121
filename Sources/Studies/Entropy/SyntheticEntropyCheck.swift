import Autoencoders
import Foundation
import TensorCore

/// The known-answer check of the entropy estimator (the paper's synthetic directional benchmark):
/// `rows` samples `x = c·V + ε` of `r` independent fair bits `c` through `r` random unit
/// directions in `R^width`, plus Gaussian noise of standard deviation `noise`; a BAE fitted with
/// ``EntropyFitSettings`` must estimate `r` bits.
public struct SyntheticEntropyCheck: Codable, Sendable, Equatable {
  /// `r`, the true entropy in bits.
  public var trueBits: Int
  public var width: Int
  public var rows: Int
  public var noise: Double
  public var seed: UInt64
  /// The estimate of the fitted BAE on all samples.
  public var estimate: EntropyEstimate
  /// `(estimate − r) / r`.
  public var relativeError: Double
  /// Fraction of variance the BAE leaves unexplained.
  public var fractionOfVarianceUnexplained: Double
  public var settings: EntropyFitSettings

  enum CodingKeys: String, CodingKey {
    case trueBits = "true_bits", width, rows, noise, seed, estimate, relativeError = "relative_error"
    case fractionOfVarianceUnexplained = "fvu", settings
  }

  /// Draws the data with `seed`, fits a BAE (initialised from the same seed) and compares.
  ///
  /// - Throws: ``AutoencoderError/invalidConfiguration(key:reason:)`` for sizes out of range.
  public init(
    bits r: Int, width: Int = 64, rows: Int = 4096, noise: Double = 0.01, seed: UInt64 = 0,
    settings: EntropyFitSettings = EntropyFitSettings(), context: ComputeContext
  ) throws(AutoencoderError) {
    guard (1...4096).contains(r) else { throw .invalidConfiguration(key: "bits", reason: "must be in 1...4096, got \(r)") }
    guard (1...65536).contains(width) else {
      throw .invalidConfiguration(key: "width", reason: "must be in 1...65536, got \(width)")
    }
    guard (2...1 << 22).contains(rows) else {
      throw .invalidConfiguration(key: "rows", reason: "must be in 2...\(1 << 22), got \(rows)")
    }
    guard noise >= 0, noise.isFinite else { throw .invalidConfiguration(key: "noise", reason: "must be ≥ 0") }
    let (_, overflow) = rows.multipliedReportingOverflow(by: width * settings.expand)
    guard !overflow, rows * width * settings.expand <= 1 << 30 else {
      throw .invalidConfiguration(key: "rows", reason: "rows × width × expand exceeds 2^30 values")
    }
    let data = SyntheticCodes(bits: r, width: width, rows: rows, noise: Float(noise), seed: seed)
    let fit = try EntropyFit(rows: data.samples, settings: settings, seed: seed, context: context)
    trueBits = r
    self.width = width
    self.rows = rows
    self.noise = noise
    self.seed = seed
    estimate = fit.estimate
    relativeError = (fit.estimate.entropyBits - Double(r)) / Double(r)
    fractionOfVarianceUnexplained = fit.fractionOfVarianceUnexplained
    self.settings = settings
  }
}
