import Foundation

/// One line of `metrics.jsonl`: the state of training after an epoch.
public struct EpochMetrics: Codable, Sendable, Equatable {
  /// 0-based epoch just finished.
  public var epoch: Int
  /// Optimiser steps so far.
  public var step: Int
  /// Loss terms averaged over the epoch's training batches.
  public var train: LossTerms
  /// Loss terms averaged over the validation batches (in order, not shuffled), if any.
  public var validation: LossTerms?
  /// Fraction of variance unexplained on validation rows (training rows when none).
  public var fractionOfVarianceUnexplained: Double
  /// Mean active codes per row (BAE: 1 bits) on the same rows.
  public var l0: Double
  /// Codes that never change: SAE, never active; BAE, the same bit on every row (see
  /// ``CodeActivity``).
  public var dead: Int
  /// Codes active on more than the default dense threshold of rows (SAE 0.1; BAE, 1 bits on
  /// more than 0.5 of the rows, i.e. the feature's minority state is 0; see ``CodeActivity``).
  public var dense: Int
  /// Seconds since training started (this run).
  public var seconds: Double
}

extension LossTerms {
  /// Averages loss terms over batches.
  static func mean(_ terms: [LossTerms]) -> LossTerms? {
    guard !terms.isEmpty else { return nil }
    let n = Double(terms.count)
    func avg(_ key: KeyPath<LossTerms, Double?>) -> Double? {
      let values = terms.compactMap { $0[keyPath: key] }
      return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }
    return LossTerms(
      mse: terms.map(\.mse).reduce(0, +) / n, entropy: avg(\.entropy), covariance: avg(\.covariance), l1: avg(\.l1),
      total: terms.map(\.total).reduce(0, +) / n)
  }
}

extension EpochMetrics {
  /// The lines of `metrics.jsonl` in a training directory (empty when there is none).
  ///
  /// - Throws: ``AutoencoderError/unreadable(file:reason:)`` for a malformed line.
  public static func read(from directory: URL) throws(AutoencoderError) -> [EpochMetrics] {
    let url = TrainingCheckpoint.metricsURL(in: directory)
    guard let data = FileManager.default.contents(atPath: url.path) else { return [] }
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    var lines: [EpochMetrics] = []
    for (number, line) in data.split(separator: 0x0A).enumerated() where !line.isEmpty {
      do {
        lines.append(try decoder.decode(EpochMetrics.self, from: Data(line)))
      } catch {
        throw .unreadable(file: url, reason: "line \(number + 1) is not an epoch record")
      }
    }
    return lines
  }
}
