import Foundation
import Plots
import TestSupport

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// The number of points in a path's `d` (`M` and `L` commands) and of its subpaths (`M`).
func pathCounts(_ path: XMLElement) -> (points: Int, subpaths: Int) {
  let tokens = (path.attributeValue("d") ?? "").split(separator: " ")
  return (tokens.count { $0.hasPrefix("M") || $0.hasPrefix("L") }, tokens.count { $0.hasPrefix("M") })
}

/// The legend names of a chart or figure, in order.
func legendNames(_ tree: XMLTree) -> [String] {
  tree.elements(withClass: "legend-entry").map { $0.descendants(named: "text").first?.stringValue ?? "<missing>" }
}

/// The numbers written as tick labels of the y axis (first panel).
func yTickLabels(_ tree: XMLTree) -> [String] {
  tree.elements(withClass: "y-ticks").first?.descendants(withClass: "tick-label").compactMap(\.stringValue) ?? []
}

/// A chart of three series with distinct shapes.
func sampleChart(title: String = "Entropy over layers") -> LineChart {
  LineChart(
    title: title, xAxis: Axis("layer"), yAxis: Axis("entropy", unit: "bits"),
    series: [
      Series(name: "k = 1", y: [0.1, 0.35, 0.5, 0.62, 0.87]),
      Series(name: "k = 2", y: [0.2, 0.3, 0.45, 0.5, 0.55], markers: true),
      Series(name: "k = 4", x: [0, 2, 4], y: [0.05, 0.25, 0.4], dashed: true),
    ])
}
