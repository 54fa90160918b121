import Checkpoints
import Foundation
import Plots

/// `curves.svg` of a training directory: the run's `metrics.jsonl` as stacked line charts over
/// epochs, rewritten by ``Trainer`` with every checkpoint and at the end of a run.
///
/// Panels, from the top (a panel whose quantity no epoch recorded is left out):
/// 1. loss terms, log scale: training and validation MSE and weighted total;
/// 2. BAE: code entropy `Σ_j H_b(p_j)` in bits; 3. BAE: covariance penalty `Σ|Cov(h)|`, log
///    scale; SAE with an L1 penalty (ReLU, transcoder): `Σ|h|`, log scale;
/// 4. fraction of variance unexplained (validation rows, else training rows);
/// 5. code counts: L0 (mean active codes per row), dead and dense codes.
///
/// Validation series are dashed. A value that is NaN or ±∞ (or `≤ 0` on a log axis) leaves a
/// gap in its line.
public enum TrainingCurves {
  /// The file name inside a training directory.
  public static let fileName = "curves.svg"

  /// The figure of `metrics` for an autoencoder of `configuration`.
  public static func figure(_ metrics: [EpochMetrics], configuration: AutoencoderConfiguration) -> Figure {
    let epochs = metrics.map { Double($0.epoch) }
    let markers = metrics.count <= 30
    let epochAxis = Axis("epoch")
    func series(_ name: String, dashed: Bool = false, _ value: (EpochMetrics) -> Double?) -> Series? {
      let values = metrics.map { value($0) ?? .nan }
      guard metrics.contains(where: { value($0) != nil }) else { return nil }
      return Series(name: name, x: epochs, y: values, markers: markers, dashed: dashed)
    }
    func chart(_ title: String, _ yAxis: Axis, _ series: [Series?]) -> LineChart? {
      let present = series.compactMap { $0 }
      return present.isEmpty ? nil : LineChart(title: title, xAxis: epochAxis, yAxis: yAxis, series: present)
    }
    let architecture = configuration.architecture
    let hasValidation = metrics.contains { $0.validation != nil }
    var charts: [LineChart?] = [
      chart(
        "Loss terms", Axis("loss", scale: .log10),
        [
          series("train MSE") { $0.train.mse }, series("validation MSE", dashed: true) { $0.validation?.mse },
          series("train total") { $0.train.total }, series("validation total", dashed: true) { $0.validation?.total },
        ])
    ]
    if architecture.isBinary {
      charts.append(
        chart(
          "Code entropy", Axis("entropy", unit: "bits"),
          [series("train") { $0.train.entropy }, series("validation", dashed: true) { $0.validation?.entropy }]))
      charts.append(
        chart(
          "Covariance penalty", Axis("Σ|Cov(h)|", scale: .log10),
          [series("train") { $0.train.covariance }, series("validation", dashed: true) { $0.validation?.covariance }]))
    } else {
      charts.append(
        chart(
          "L1 penalty", Axis("Σ|h|", scale: .log10),
          [series("train") { $0.train.l1 }, series("validation", dashed: true) { $0.validation?.l1 }]))
    }
    charts.append(
      chart(
        "Fraction of variance unexplained", Axis("FVU"),
        [series(hasValidation ? "validation rows" : "training rows") { $0.fractionOfVarianceUnexplained }]))
    charts.append(
      chart(
        "Codes", Axis("codes"),
        [
          series(architecture.isBinary ? "L0 (mean 1 bits per row)" : "L0 (mean active per row)") { $0.l0 },
          series("dead") { Double($0.dead) }, series("dense") { Double($0.dense) },
        ]))
    return Figure(title: title(configuration), charts: charts.compactMap { $0 }, width: 760, panelHeight: 250)
  }

  /// Writes the figure of `metrics` to `curves.svg` in `directory`, atomically.
  ///
  /// - Throws: ``AutoencoderError/writeFailed(file:reason:)``.
  static func write(
    _ metrics: [EpochMetrics], configuration: AutoencoderConfiguration, in directory: URL
  ) throws(AutoencoderError) {
    let url = directory.appendingPathComponent(fileName)
    do {
      try figure(metrics, configuration: configuration).write(to: url, using: AtomicFile.write)
    } catch {
      throw .writeFailed(file: url, reason: error.reason)
    }
  }

  /// `"BAE, 768 → 4096 codes: training curves"`.
  static func title(_ configuration: AutoencoderConfiguration) -> String {
    let name: String
    switch configuration.architecture {
    case .bae: name = "BAE"
    case .relu: name = "ReLU SAE"
    case .topk: name = "TopK SAE (k = \(configuration.topK))"
    case .batchtopk: name = "BatchTopK SAE (k = \(configuration.topK))"
    case .jumprelu: name = "JumpReLU SAE"
    case .transcoder: name = "transcoder"
    }
    return "\(name), \(configuration.inputWidth) → \(configuration.codeWidth) codes: training curves"
  }
}
