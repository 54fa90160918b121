/// Several charts stacked vertically in one document, each with its own axes and legend: for
/// quantities on different scales that belong together, such as the loss terms, code entropy
/// and fraction of variance unexplained of one training run.
///
/// Panels are drawn in order from the top, all ``width`` wide and ``panelHeight`` high (their
/// own `width` and `height` are ignored), under the figure's ``title``. Their plot areas share
/// one left and one right edge, so the x axes line up.
public struct Figure: SVGPicture, Equatable {
  /// One chart of a figure.
  public enum Panel: Sendable, Equatable {
    case lines(LineChart)
    case histogram(Histogram)
  }

  /// The heading above all panels; empty for none.
  public var title: String
  public var panels: [Panel]
  /// The document width and the height of each panel, in pixels.
  public var width: Double
  public var panelHeight: Double

  /// A figure of `panels`.
  public init(title: String = "", panels: [Panel], width: Double = 720, panelHeight: Double = 260) {
    self.title = title
    self.panels = panels
    self.width = width
    self.panelHeight = panelHeight
  }

  /// A figure of line charts.
  public init(title: String = "", charts: [LineChart], width: Double = 720, panelHeight: Double = 260) {
    self.init(title: title, panels: charts.map(Panel.lines), width: width, panelHeight: panelHeight)
  }

  var headerHeight: Double { title.isEmpty ? 0 : 36 }

  /// The document height: header plus panels.
  public var height: Double { headerHeight + panelHeight * Double(panels.count) }

  /// The figure as an SVG 1.1 document.
  public func svg() -> String {
    svgDocument(width: width, height: height, title: title) { svg in
      if !title.isEmpty {
        svg.element(
          "text",
          [
            ("class", "figure-title"), ("x", coordinate(width / 2)), ("y", "25"), ("text-anchor", "middle"),
            ("font-size", coordinate(Typography.figureTitle)), ("font-weight", "bold"), ("fill", Palette.ink),
          ], text: title)
      }
      // One plot-area width for all panels, so their x axes line up.
      let margins = ChartFrame.Margins.widest(
        panels.map { panel in
          switch panel {
          case .lines(let chart): chart.frame(width: width, height: panelHeight).margins
          case .histogram(let histogram): histogram.frame(width: width, height: panelHeight).margins
          }
        })
      for (index, panel) in panels.enumerated() {
        let offset = headerHeight + panelHeight * Double(index)
        svg.open("g", [("class", "panel"), ("transform", "translate(0 \(coordinate(offset)))")])
        switch panel {
        case .lines(let chart):
          chart.draw(into: &svg, width: width, height: panelHeight, id: String(index), margins: margins)
        case .histogram(let histogram):
          histogram.draw(into: &svg, width: width, height: panelHeight, id: String(index), margins: margins)
        }
        svg.close("g")
      }
    }
  }
}
