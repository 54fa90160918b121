/// A chart of named series of `(x, y)` points over linear or log axes, with a title, axis
/// titles, nice ticks, light grid lines and a legend (one row per series).
///
/// In the document, each series is exactly one `<path class="series" data-series="name">`
/// (even when it has no drawable point), and nothing else is a `<path>`, so a reader can count
/// series by counting paths. Colours follow ``Palette`` in series order.
///
/// ```swift
/// var chart = LineChart(title: "Entropy over layers", xAxis: Axis("layer"), yAxis: Axis("entropy", unit: "bits"))
/// chart.series = [Series(name: "k = 1", y: entropies)]
/// let text = chart.svg()
/// ```
public struct LineChart: SVGPicture, Equatable {
  /// The heading above the plot; empty for none.
  public var title: String
  public var xAxis: Axis
  /// The value axis; with ``AxisScale/log10`` points with `y ≤ 0` are skipped (a gap).
  public var yAxis: Axis
  public var series: [Series]
  /// The document size in pixels when drawn alone (a ``Figure`` sets its panels' sizes).
  public var width: Double
  public var height: Double

  /// A chart; add ``series`` later or here.
  public init(
    title: String, xAxis: Axis, yAxis: Axis, series: [Series] = [], width: Double = 640, height: Double = 400
  ) {
    self.title = title
    self.xAxis = xAxis
    self.yAxis = yAxis
    self.series = series
    self.width = width
    self.height = height
  }

  /// The chart as an SVG 1.1 document.
  public func svg() -> String {
    svgDocument(width: width, height: height, title: title) { draw(into: &$0, width: width, height: height, id: "0") }
  }

  /// The layout of the chart in `width × height`.
  func frame(width: Double, height: Double, margins: ChartFrame.Margins? = nil) -> ChartFrame {
    ChartFrame(
      width: width, height: height, title: title, xAxis: xAxis, xValues: series.flatMap(\.x), xNice: false,
      yAxis: yAxis,
      yValues: series.flatMap(\.y), yIncludeZero: false, legendNames: series.map(\.name), margins: margins)
  }

  /// Draws the chart at the origin in `width × height`; `id` makes its clip path's id unique.
  func draw(into svg: inout SVGBuilder, width: Double, height: Double, id: String, margins: ChartFrame.Margins? = nil) {
    let frame = frame(width: width, height: height, margins: margins)
    frame.drawBackground(into: &svg, id: id)
    var drawn = 0
    svg.open("g", [("class", "data"), ("clip-path", "url(#\(ChartFrame.clipID(id)))")])
    for (index, line) in series.enumerated() {
      let points: [(Double, Double)?] = zip(line.x, line.y).map { x, y in
        guard let px = frame.xMap.position(x), let py = frame.yMap.position(y) else { return nil }
        return (px, py)
      }
      drawn += points.count(where: { $0 != nil })
      var attributes = [
        ("class", "series"), ("data-series", line.name), ("d", Self.pathData(points)), ("fill", "none"),
        ("stroke", Palette.color(at: index)), ("stroke-width", "1.75"), ("stroke-linejoin", "round"),
        ("stroke-linecap", "round"),
      ]
      if Self.isDashed(line, index: index) { attributes.append(("stroke-dasharray", ChartFrame.dash)) }
      svg.element("path", attributes)
      if line.markers {
        svg.open("g", [("class", "markers"), ("data-series", line.name), ("fill", Palette.color(at: index))])
        for case (let px, let py)? in points {
          svg.element("circle", [("cx", coordinate(px)), ("cy", coordinate(py)), ("r", "2.5")])
        }
        svg.close("g")
      }
    }
    svg.close("g")
    if drawn == 0 { frame.drawNoData(into: &svg) }
    frame.drawAxes(into: &svg)
    frame.drawLegend(
      series.enumerated().map {
        LegendEntry(
          name: $0.element.name, color: Palette.color(at: $0.offset),
          dashed: Self.isDashed($0.element, index: $0.offset),
          marker: $0.element.markers)
      }, into: &svg)
  }

  static func isDashed(_ series: Series, index: Int) -> Bool { series.dashed || Palette.dashedByCycle(at: index) }

  /// `M x,y L x,y …`, starting a new subpath after each missing point; a point alone between
  /// gaps becomes a zero-length segment, which the round line cap draws as a dot.
  static func pathData(_ points: [(Double, Double)?]) -> String {
    var parts: [String] = []
    var run = 0
    for point in points {
      guard let (px, py) = point else {
        if run == 1 { parts.append("h0") }
        run = 0
        continue
      }
      parts.append((run == 0 ? "M" : "L") + coordinate(px) + "," + coordinate(py))
      run += 1
    }
    if run == 1 { parts.append("h0") }
    return parts.joined(separator: " ")
  }
}
