import ArgumentParser
import Autoencoders
import Studies

/// How `bae entropy`, `bae icl` and `bae positions` fit a BAE to a set of states to estimate its
/// entropy (defaults: ``EntropyFitSettings``, the known-answer recipe).
struct EntropyFitArguments: ParsableArguments {
  @Option(name: .long, help: "Code width of the fitted BAEs as a multiple of the input width (default 4).")
  var expand: Int?
  @Option(name: .long, help: "Optimiser steps per fitted BAE (default 2560; icl and positions: 800).")
  var fitSteps: Int?
  @Option(name: .long, help: "Rows per step of a fit (default 256; the whole set when smaller).")
  var fitBatchSize: Int?
  @Option(name: .long, help: "Learning rate of a fit (default 1e-2, decaying to 0 over the last quarter).")
  var fitLr: Double?
  @Option(name: .long, help: "Entropy weight of a fit (default 3e-3; icl and positions: 3e-2).")
  var fitEntropyWeight: Double?
  @Option(name: .long, help: "Covariance weight of a fit (default 1e-3; icl and positions: 1e-2).")
  var fitCovarianceWeight: Double?
  @Option(name: .long, help: "Gradient estimator of a fit: sigmoid (default), sign_s, sign, squarewave.")
  var fitEstimator: BinarizationEstimator?
  @Option(name: .long, help: "Input scaling of a fit: centered (default), sqrt-d, none, per-dimension.")
  var fitNormalize: InputNormalization.Kind?
  @Option(name: .long, help: "BAEs fitted per set with seeds 0…N−1; the spread is reported (default 1).")
  var seeds = 1

  func validate() throws {
    guard (1...64).contains(seeds) else { throw ValidationError("--seeds must be in 1...64") }
    do {
      try settings.validate()
    } catch {
      throw ValidationError("\(error)")
    }
  }

  var settings: EntropyFitSettings { settings(base: EntropyFitSettings()) }

  /// `base` with the flags given applied.
  func settings(base: EntropyFitSettings) -> EntropyFitSettings {
    var s = base
    if let expand { s.expand = expand }
    if let fitSteps { s.steps = fitSteps }
    if let fitBatchSize { s.batchSize = fitBatchSize }
    if let fitLr { s.learningRate = fitLr }
    if let fitEntropyWeight { s.entropyWeight = fitEntropyWeight }
    if let fitCovarianceWeight { s.covarianceWeight = fitCovarianceWeight }
    if let fitEstimator { s.estimator = fitEstimator }
    if let fitNormalize { s.normalization = fitNormalize }
    return s
  }

  var seedList: [UInt64] { (0..<seeds).map(UInt64.init) }
}
