import Foundation
import Plots
import TestSupport
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

@Suite struct HistogramTests {
  /// 200 values spread over [0, 1] and three that are not finite.
  static let values: [Double] = {
    let spread: [Double] = (0..<200).map { (i: Int) -> Double in Double((i * 37) % 101) / 100 }
    return spread + [Double.nan, Double.infinity, -Double.infinity]
  }()

  @Test func oneBarPerBinAndEveryFiniteValueCounted() throws {
    let histogram = try Histogram(
      title: "Firing rates", values: Self.values, binCount: 7, xAxis: Axis("firing rate"), yAxis: Axis("codes"))
    #expect(histogram.counts.count == 7 && histogram.edges.count == 8)
    #expect(histogram.counts.reduce(0, +) == 200)
    #expect(histogram.skipped == 3)
    let tree = try XMLTree(histogram.svg())
    let bars = tree.elements(withClass: "bar")
    #expect(bars.count == 7)
    #expect(bars.compactMap { $0.attributeValue("data-count").flatMap(Int.init) } == histogram.counts)
    #expect(tree.elements(named: "path").isEmpty)
    #expect(tree.elements(withClass: "title").first?.stringValue == "Firing rates")
    // Taller bars for larger counts.
    let heights = bars.compactMap { $0.attributeValue("height").flatMap(Double.init) }
    for i in heights.indices {
      for j in heights.indices where histogram.counts[i] < histogram.counts[j] { #expect(heights[i] < heights[j]) }
    }
    #expect(yTickLabels(tree).first == "0")
  }

  @Test func rangeLimitsTheCountedValues() throws {
    let histogram = try Histogram(
      title: "", values: [-1, 0, 0.25, 0.5, 1, 2], binCount: 2, range: 0...1, xAxis: Axis("x"))
    #expect(histogram.counts == [2, 2])  // the last bin holds its upper edge
    #expect(histogram.skipped == 2)
  }

  @Test func logScaleSkipsEmptyBinsAndShowsCountsOfOne() throws {
    let histogram = try Histogram(
      title: "log", edges: [0, 1, 2, 3, 4], counts: [1, 0, 1000, 20], xAxis: Axis("x"),
      yAxis: Axis("count", scale: .log10))
    let tree = try XMLTree(histogram.svg())
    let heights = tree.elements(withClass: "bar").compactMap { $0.attributeValue("height").flatMap(Double.init) }
    #expect(heights.count == 4)
    #expect(heights[0] > 0 && heights[1] == 0 && heights[2] > heights[3] && heights[3] > heights[0])
    #expect(yTickLabels(tree) == ["0.1", "1", "10", "100", "1000"])
  }

  @Test func invalidBinsAreRefused() {
    #expect(throws: PlotError.self) { try Histogram(title: "", edges: [0, 1], counts: [1, 2], xAxis: Axis()) }
    #expect(throws: PlotError.self) { try Histogram(title: "", edges: [0, 2, 1], counts: [1, 2], xAxis: Axis()) }
    #expect(throws: PlotError.self) { try Histogram(title: "", edges: [0, .nan], counts: [1], xAxis: Axis()) }
    #expect(throws: PlotError.self) { try Histogram(title: "", edges: [0, 1], counts: [-1], xAxis: Axis()) }
    #expect(throws: PlotError.self) { try Histogram(title: "", edges: [0], counts: [], xAxis: Axis()) }
    #expect(throws: PlotError.self) { try Histogram(title: "", values: [1, 2], binCount: 0, xAxis: Axis()) }
    #expect { try Histogram(title: "", edges: [0, 1, 1], counts: [1, 2], xAxis: Axis()) } throws: {
      "\($0)".contains("edge 2") && "\($0)".contains("not above edge 1")
    }
  }

  @Test func degenerateValuesStillRender() throws {
    for values: [Double] in [[], [3, 3, 3], [.nan]] {
      let histogram = try Histogram(title: "", values: values, binCount: 4, xAxis: Axis("x"))
      let tree = try XMLTree(histogram.svg())
      #expect(tree.elements(withClass: "bar").count == 4)
      #expect(tree.elements(withClass: "no-data").count == (values.contains(3) ? 0 : 1))
    }
  }

  @Test func identicalInputGivesIdenticalBytes() throws {
    let a = try Histogram(title: "h", values: Self.values, binCount: 9, xAxis: Axis("x"))
    let b = try Histogram(title: "h", values: Self.values, binCount: 9, xAxis: Axis("x"))
    #expect(a.svg() == b.svg())
  }
}
