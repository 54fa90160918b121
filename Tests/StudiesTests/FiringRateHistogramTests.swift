import Foundation
import Plots
import Studies
import TestSupport
import Testing

/// The firing-rate histogram: log-spaced bins, codes that never fire counted in the axis label.
@Suite struct FiringRateHistogramTests {
  @Test func ratesFallInTenBinsPerDecade() throws {
    let rates = [0, 0, 0.002, 0.045, 0.05, 0.5, 1]
    let histogram = try FiringRateHistogram.make(rates: rates, title: "rates")
    #expect(histogram.title == "rates")
    #expect(histogram.xAxis.title == "firing rate (share of rows); 2 codes never fire, not shown")
    #expect(histogram.counts.count == 30, "three decades, 0.001 to 1")
    #expect(histogram.counts.reduce(0, +) == 5)
    #expect(abs(histogram.edges[0] - 0.001) < 1e-15 && histogram.edges.last == 1)
    // 0.045 and 0.05 share the bin [10^-1.4, 10^-1.3); 1 falls in the last bin.
    #expect(histogram.counts[16] == 2 && histogram.counts[29] == 1)
    let tree = try XMLTree(histogram.svg())
    #expect(tree.elements(withClass: "bar").count == 30)
    #expect(throws: PlotError.self) { try FiringRateHistogram.make(rates: [.nan], title: "") }
  }

  @Test func noCodeFiringGivesOneEmptyDecade() throws {
    let histogram = try FiringRateHistogram.make(rates: [0, 0], title: "none")
    #expect(histogram.counts == [Int](repeating: 0, count: 10))
    _ = try XMLTree(histogram.svg())
  }
}
