import Foundation
import Plots
import TestSupport
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

@Suite struct FigureTests {
  static func figure() throws -> Figure {
    let loss = LineChart(
      title: "Loss", xAxis: Axis("epoch"), yAxis: Axis("loss", scale: .log10),
      series: [
        Series(name: "train", y: [1, 0.5, 0.2, 0.1]),
        Series(name: "validation", y: [1.2, 0.6, 0.3, 0.2], dashed: true),
      ])
    let entropy = LineChart(
      title: "Entropy", xAxis: Axis("epoch"), yAxis: Axis("entropy", unit: "bits"),
      series: [Series(name: "train", y: [30, 25, 22, 21])])
    let rates = try Histogram(title: "Firing rates", values: [0.1, 0.2, 0.2, 0.9], binCount: 5, xAxis: Axis("rate"))
    return Figure(title: "Run & <friends>", panels: [.lines(loss), .lines(entropy), .histogram(rates)])
  }

  @Test func panelsStackWithTheirOwnAxesAndLegends() throws {
    let figure = try Self.figure()
    let tree = try XMLTree(figure.svg())
    let panels = tree.elements(withClass: "panel")
    #expect(panels.count == 3)
    #expect(
      panels.map { $0.attributeValue("transform") } == ["translate(0 36)", "translate(0 296)", "translate(0 556)"])
    #expect(tree.root?.attributeValue("height") == "816")
    #expect(panels.map { $0.descendants(named: "path").count } == [2, 1, 0])
    #expect(panels.map { $0.descendants(withClass: "legend-entry").count } == [2, 1, 0])
    #expect(panels[2].descendants(withClass: "bar").count == 5)
    #expect(tree.elements(named: "path").count == 3)
    #expect(tree.elements(withClass: "figure-title").first?.stringValue == "Run & <friends>")
    // Clip paths have distinct ids, each used by its own panel.
    let ids = tree.elements(named: "clipPath").compactMap { $0.attributeValue("id") }
    #expect(ids == ["plot-area-0", "plot-area-1", "plot-area-2"])
    #expect(figure.svg() == (try Self.figure()).svg())
  }

  @Test func panelsShareTheirPlotAreaEdges() throws {
    let tree = try XMLTree(try Self.figure().svg())
    let clips = tree.elements(named: "clipPath").compactMap { $0.descendants(named: "rect").first }
    #expect(clips.count == 3)
    for attribute in ["x", "width"] {
      #expect(Set(clips.compactMap { $0.attributeValue(attribute) }).count == 1, "\(attribute) differs between panels")
    }
  }
}
