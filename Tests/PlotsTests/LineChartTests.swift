import Foundation
import Plots
import TestSupport
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

@Suite struct LineChartTests {
  @Test func documentParsesWithOnePathPerSeriesAndOneLegendEntryEach() throws {
    let chart = sampleChart()
    let tree = try XMLTree(chart.svg())
    #expect(tree.root?.name == "svg")
    #expect(tree.root?.attributeValue("version") == "1.1")
    let paths = tree.elements(named: "path")
    #expect(paths.count == chart.series.count)
    #expect(paths.map { $0.attributeValue("data-series") } == chart.series.map(\.name))
    #expect(paths.allSatisfy { $0.attributeValue("class") == "series" })
    #expect(legendNames(tree) == chart.series.map(\.name))
    // Distinct colours, and the dashed series is dashed.
    #expect(Set(paths.compactMap { $0.attributeValue("stroke") }).count == 3)
    #expect(paths[2].attributeValue("stroke-dasharray") != nil && paths[0].attributeValue("stroke-dasharray") == nil)
    // Markers: one circle per point of the series that asks for them.
    let markers = tree.elements(withClass: "markers")
    #expect(markers.count == 1 && markers.first?.descendants(named: "circle").count == 5)
    #expect(tree.elements(withClass: "title").first?.stringValue == "Entropy over layers")
    #expect(tree.elements(withClass: "axis-title").compactMap(\.stringValue) == ["layer", "entropy (bits)"])
  }

  @Test(arguments: [
    "a <b> & \"c\" 'd'", "<&\">", "]]> <!-- not a comment --> &amp;", "naïve → ∑ 日本", "tab\tand\nnewline",
  ])
  func userTextIsEscapedAndReadsBack(text: String) throws {
    let chart = LineChart(
      title: text, xAxis: Axis(text, unit: text), yAxis: Axis("y"),
      series: [Series(name: text, y: [1, 2]), Series(name: "plain", y: [2, 1])])
    let tree = try XMLTree(chart.svg())
    #expect(tree.elements(withClass: "title").first?.stringValue == text)
    #expect(tree.elements(named: "title").first?.stringValue == text)
    #expect(tree.elements(withClass: "axis-title").first?.stringValue == "\(text) (\(text))")
    #expect(legendNames(tree) == [text, "plain"])
    #expect(tree.elements(named: "path").first?.attributeValue("data-series") == text)
  }

  @Test func controlCharactersStillGiveAWellFormedDocument() throws {
    let chart = LineChart(
      title: "bell\u{7}null\u{0}", xAxis: Axis("x"), yAxis: Axis("y"), series: [Series(name: "\u{1B}[31m", y: [1])])
    let tree = try XMLTree(chart.svg())
    #expect(tree.elements(withClass: "title").first?.stringValue == "bell\u{FFFD}null\u{FFFD}")
  }

  @Test func nonFinitePointsLeaveGapsAndNoNaNText() throws {
    let chart = LineChart(
      title: "Gaps", xAxis: Axis("position"), yAxis: Axis("value"),
      series: [
        Series(name: "holes", y: [1, 2, .nan, 4, 5, .infinity, 7, 8]),
        Series(name: "bad x", x: [0, .nan, 2, 3], y: [1, 1, 1, 1]),
        Series(name: "lonely", y: [.nan, 3, -.infinity]),
        Series(name: "none", y: [.nan, .nan]),
      ])
    let text = chart.svg()
    #expect(!text.lowercased().contains("nan"))
    #expect(!text.lowercased().contains("inf"))
    let tree = try XMLTree(text)
    let paths = tree.elements(named: "path")
    #expect(paths.count == 4)
    #expect(pathCounts(paths[0]) == (6, 3))
    #expect(pathCounts(paths[1]) == (3, 2))
    // A point alone between gaps is a zero-length segment (drawn as a dot by the round cap).
    #expect(pathCounts(paths[2]) == (1, 1) && paths[2].attributeValue("d")?.hasSuffix("h0") == true)
    #expect(paths[3].attributeValue("d") == "")
    #expect(legendNames(tree) == ["holes", "bad x", "lonely", "none"])
  }

  @Test func logAxisSkipsNonPositiveValuesAndTicksAtPowersOfTen() throws {
    let chart = LineChart(
      title: "Loss", xAxis: Axis("epoch"), yAxis: Axis("loss", scale: .log10),
      series: [Series(name: "mse", y: [3.2, 0.9, 0.0, 0.04, -1, 0.002])])
    let tree = try XMLTree(chart.svg())
    let labels = yTickLabels(tree)
    #expect(labels == ["0.001", "0.01", "0.1", "1", "10"])
    for label in labels {
      let exponent = log10(Double(label)!)
      #expect(exponent == exponent.rounded(), "\(label) is not a power of ten")
    }
    // 3.2, 0.9 | 0 | 0.04 | -1 | 0.002: three runs of drawable points.
    #expect(pathCounts(tree.elements(named: "path")[0]) == (4, 3))
  }

  @Test func valueAxisEndsOnTicks() throws {
    let chart = LineChart(title: "", xAxis: Axis("x"), yAxis: Axis("y"), series: [Series(name: "s", y: [9, 27, 13])])
    let labels = yTickLabels(try XMLTree(chart.svg())).compactMap(Double.init)
    #expect(labels.count >= 3)
    #expect(labels.first! <= 9 && labels.last! >= 27)
    let steps = Set(zip(labels, labels.dropFirst()).map { $1 - $0 })
    #expect(steps.count == 1, "uneven steps \(labels)")
  }

  @Test func logAxisOverOneDecadeLabelsTwoAndFive() throws {
    let chart = LineChart(
      title: "", xAxis: Axis("x"), yAxis: Axis("y", scale: .log10), series: [Series(name: "s", y: [150, 300])])
    #expect(yTickLabels(try XMLTree(chart.svg())) == ["100", "200", "500", "1000"])
  }

  @Test func fixedRangeClipsData() throws {
    let chart = LineChart(
      title: "", xAxis: Axis("x", range: 0...10), yAxis: Axis("y", range: 0...1),
      series: [Series(name: "s", y: [0.5, 3, 0.5])])
    let tree = try XMLTree(chart.svg())
    #expect(yTickLabels(tree) == ["0", "0.2", "0.4", "0.6", "0.8", "1"])
    #expect(tree.elements(withClass: "data").first?.attributeValue("clip-path") == "url(#plot-area-0)")
    #expect(tree.elements(named: "clipPath").count == 1)
    #expect(tree.elements(withClass: "title").isEmpty)
  }

  @Test func emptyChartsStillRender() throws {
    for series in [[], [Series(name: "empty", x: [], y: [])], [Series(name: "one point", y: [42])]] {
      let chart = LineChart(title: "t", xAxis: Axis("x"), yAxis: Axis("y"), series: series)
      let tree = try XMLTree(chart.svg())
      #expect(tree.elements(named: "path").count == series.count)
      let empty = series.allSatisfy { $0.count == 0 }
      #expect(tree.elements(withClass: "no-data").count == (empty ? 1 : 0))
      #expect(yTickLabels(tree).count >= 2)
    }
  }

  @Test func identicalInputGivesIdenticalBytes() {
    #expect(sampleChart().svg() == sampleChart().svg())
    #expect(sampleChart().svg() != sampleChart(title: "Other").svg())
  }

  @Test func writeHandsTheDocumentToTheWriter() throws {
    struct Refused: Error, Equatable { var url: URL }
    let chart = sampleChart()
    let target = URL(fileURLWithPath: "picture.svg")
    var written: (Data, URL)?
    chart.write(to: target) { written = ($0, $1) }  // a writer that cannot fail: no `try`
    #expect(written.map { String(decoding: $0.0, as: UTF8.self) } == chart.svg())
    #expect(written?.1 == target)
    #expect(throws: Refused(url: target)) {
      try chart.write(to: target) { (_, url) throws(Refused) in throw Refused(url: url) }
    }
  }
}

/// The parser the tests rely on refuses what is not well-formed, so "it parses" means something.
@Test(arguments: [
  "<svg><a></svg>", "<svg>a < b</svg>", "<svg x=\"1\" x=\"2\"/>", "<svg>&bogus;</svg>", "<svg/><extra/>",
])
func malformedDocumentsAreRefused(text: String) {
  #expect(throws: XMLTreeError.self) { try XMLTree(text) }
}
