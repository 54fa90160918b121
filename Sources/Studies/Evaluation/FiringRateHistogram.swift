import Foundation
import Plots

/// The histogram of per-code firing rates on a log scale, as Neuronpedia and SAELens users read
/// feature density: bins equal in `log10` rate (ten per decade), from the decade of the
/// smallest nonzero rate up to 1.
///
/// A rate of 0 has no place on a log axis: codes that never fire are counted in the x-axis label
/// instead. For a BAE the rate is the share of rows whose bit is 1.
public enum FiringRateHistogram {
  /// Bins per decade of firing rate.
  public static let binsPerDecade = 10

  /// The histogram of `rates` (each in `0…1`).
  ///
  /// - Parameter title: the heading.
  /// - Throws: ``PlotError`` for a rate that is not finite.
  public static func make(rates: [Double], title: String) throws(PlotError) -> Histogram {
    if let bad = rates.first(where: { !$0.isFinite }) {
      throw .invalidBins(reason: "firing rate \(bad) is not finite")
    }
    let positive = rates.filter { $0 > 0 }
    let never = rates.count - positive.count
    let lowest = positive.min().map { Int(floor(log10($0))) } ?? -1
    let start = min(lowest, -1)
    let binCount = -start * binsPerDecade
    var counts = [Int](repeating: 0, count: binCount)
    for rate in positive {
      let position = (log10(rate) - Double(start)) * Double(binsPerDecade)
      counts[max(0, min(binCount - 1, Int(position.rounded(.down))))] += 1
    }
    let edges = (0...binCount).map { pow(10, Double(start) + Double($0) / Double(binsPerDecade)) }
    let label = "firing rate (share of rows)" + (never == 0 ? "" : "; \(never) codes never fire, not shown")
    return try Histogram(
      title: title, edges: edges, counts: counts, xAxis: Axis(label, scale: .log10), yAxis: Axis("codes"))
  }
}
