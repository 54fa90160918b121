/// One legend row: a swatch in the series' style and its name.
struct LegendEntry {
  var name: String
  var color: String
  var dashed: Bool
  var marker: Bool
}

/// The layout shared by line charts and histograms: title above, y axis title and tick labels
/// on the left, x tick labels and title below, legend (if any) in a column on the right, so it
/// never covers data; and the drawing of all of that around the plot area.
struct ChartFrame {
  let width: Double
  let height: Double
  let title: String
  /// The plot area, in the chart's coordinates.
  let left: Double
  let top: Double
  let plotWidth: Double
  let plotHeight: Double
  let x: AxisLayout
  let y: AxisLayout
  let xMap: AxisMap
  let yMap: AxisMap
  let legendLeft: Double

  static let tickLength = 5.0
  static let legendRow = 18.0
  static let legendSwatch = 22.0
  static let dash = "6,4"

  /// Lays out a chart of `width × height`.
  ///
  /// - Parameters:
  ///   - xNice / yNice: widen the axis to whole tick steps.
  ///   - yIncludeZero: extend a linear y axis to 0.
  ///   - legendNames: the names the legend will show (none: no legend column).
  ///   - margins: the plot area's distances from the left and right edges, instead of the
  ///     ones this chart needs (a ``Figure`` aligns its panels with the widest of each).
  init(
    width: Double, height: Double, title: String, xAxis: Axis, xValues: [Double], xNice: Bool, yAxis: Axis,
    yValues: [Double], yIncludeZero: Bool, legendNames: [String], margins: Margins? = nil
  ) {
    self.width = width
    self.height = height
    self.title = title
    top = title.isEmpty ? 12 : 34
    let bottom = 26.0 + (xAxis.title.isEmpty ? 0 : 20)
    plotHeight = max(20, height - top - bottom)
    y = AxisLayout(
      axis: yAxis, values: yValues, tickCount: min(8, max(2, Int(plotHeight / 40))), niceEnds: true,
      includeZero: yIncludeZero)
    var left = 8 + (yAxis.title.isEmpty ? 0 : 20) + y.widestTickLabel + 5 + Self.tickLength
    var right = 16.0
    if !legendNames.isEmpty {
      let widest = legendNames.map { Typography.width($0, size: Typography.legend) }.max() ?? 0
      right = 12 + Self.legendSwatch + 6 + min(widest, width * 0.35) + 8
    }
    if let margins {
      left = margins.left
      right = margins.right
    }
    self.left = left
    plotWidth = max(20, width - left - right)
    legendLeft = left + plotWidth + 12
    // Fewer x ticks while their labels would crowd each other.
    var count = min(10, max(2, Int(plotWidth / 90)))
    var xLayout = AxisLayout(axis: xAxis, values: xValues, tickCount: count, niceEnds: xNice)
    while count > 2 && xLayout.widestTickLabel * 1.6 * Double(xLayout.ticks.count) > plotWidth {
      count -= 1
      xLayout = AxisLayout(axis: xAxis, values: xValues, tickCount: count, niceEnds: xNice)
    }
    x = xLayout
    xMap = x.map(start: left, end: left + plotWidth)
    yMap = y.map(start: top + plotHeight, end: top)
  }

  /// Distances of the plot area from the chart's left and right edges.
  struct Margins {
    var left: Double
    var right: Double

    /// The widest of each side.
    static func widest(_ all: [Margins]) -> Margins? {
      guard !all.isEmpty else { return nil }
      return Margins(left: all.map(\.left).max()!, right: all.map(\.right).max()!)
    }
  }

  /// The margins this frame uses.
  var margins: Margins { Margins(left: left, right: width - left - plotWidth) }

  /// The clip rectangle's id for a chart drawn with `id`.
  static func clipID(_ id: String) -> String { "plot-area-\(id)" }

  /// Title (centred over the plot area) and grid lines (drawn under the data).
  func drawBackground(into svg: inout SVGBuilder, id: String) {
    if !title.isEmpty {
      svg.element(
        "text",
        [
          ("class", "title"), ("x", coordinate(left + plotWidth / 2)), ("y", "22"), ("text-anchor", "middle"),
          ("font-size", coordinate(Typography.title)), ("font-weight", "bold"), ("fill", Palette.ink),
        ], text: title)
    }
    svg.open("defs")
    svg.open("clipPath", [("id", Self.clipID(id))])
    // A little wider than the plot area, so lines along its edges keep their full width.
    svg.element(
      "rect",
      [
        ("x", coordinate(left - 3)), ("y", coordinate(top - 3)), ("width", coordinate(plotWidth + 6)),
        ("height", coordinate(plotHeight + 6)),
      ])
    svg.close("clipPath")
    svg.close("defs")
    svg.open("g", [("class", "grid"), ("stroke-width", "1")])
    for value in y.minorValues {
      if let py = yMap.position(value) { horizontal(py, color: Palette.minorGrid, into: &svg) }
    }
    for value in x.minorValues {
      if let px = xMap.position(value) { vertical(px, color: Palette.minorGrid, into: &svg) }
    }
    for tick in y.ticks {
      if let py = yMap.position(tick.value) { horizontal(py, color: Palette.grid, into: &svg) }
    }
    for tick in x.ticks {
      if let px = xMap.position(tick.value) { vertical(px, color: Palette.grid, into: &svg) }
    }
    svg.close("g")
  }

  /// Axis lines, tick marks, tick labels and axis titles (drawn over the data).
  func drawAxes(into svg: inout SVGBuilder) {
    let bottom = top + plotHeight
    svg.open("g", [("class", "axes"), ("stroke", Palette.ink), ("stroke-width", "1")])
    svg.element(
      "line",
      [
        ("x1", coordinate(left)), ("y1", coordinate(bottom)), ("x2", coordinate(left + plotWidth)),
        ("y2", coordinate(bottom)),
      ])
    svg.element(
      "line", [("x1", coordinate(left)), ("y1", coordinate(top)), ("x2", coordinate(left)), ("y2", coordinate(bottom))])
    for tick in x.ticks {
      guard let px = xMap.position(tick.value) else { continue }
      svg.element(
        "line",
        [
          ("x1", coordinate(px)), ("y1", coordinate(bottom)), ("x2", coordinate(px)),
          ("y2", coordinate(bottom + Self.tickLength)),
        ])
    }
    for tick in y.ticks {
      guard let py = yMap.position(tick.value) else { continue }
      svg.element(
        "line",
        [
          ("x1", coordinate(left - Self.tickLength)), ("y1", coordinate(py)), ("x2", coordinate(left)),
          ("y2", coordinate(py)),
        ])
    }
    svg.close("g")

    let labelStyle = [("font-size", coordinate(Typography.tickLabel)), ("fill", Palette.ink)]
    svg.open("g", [("class", "x-ticks"), ("text-anchor", "middle")] + labelStyle)
    for tick in x.ticks {
      guard let px = xMap.position(tick.value) else { continue }
      svg.element(
        "text", [("class", "tick-label"), ("x", coordinate(px)), ("y", coordinate(bottom + 18))], text: tick.label)
    }
    svg.close("g")
    svg.open("g", [("class", "y-ticks"), ("text-anchor", "end")] + labelStyle)
    for tick in y.ticks {
      guard let py = yMap.position(tick.value) else { continue }
      svg.element(
        "text", [("class", "tick-label"), ("x", coordinate(left - Self.tickLength - 3)), ("y", coordinate(py + 4))],
        text: tick.label)
    }
    svg.close("g")

    let titleStyle = [
      ("text-anchor", "middle"), ("font-size", coordinate(Typography.axisTitle)), ("fill", Palette.ink),
    ]
    if !x.axis.title.isEmpty {
      svg.element(
        "text",
        [("class", "axis-title x"), ("x", coordinate(left + plotWidth / 2)), ("y", coordinate(bottom + 37))]
          + titleStyle,
        text: x.axis.title)
    }
    if !y.axis.title.isEmpty {
      let cx = 20.0
      let cy = top + plotHeight / 2
      svg.element(
        "text",
        [
          ("class", "axis-title y"), ("x", coordinate(cx)), ("y", coordinate(cy)),
          ("transform", "rotate(-90 \(coordinate(cx)) \(coordinate(cy)))"),
        ] + titleStyle, text: y.axis.title)
    }
  }

  /// A note in the middle of an empty plot area.
  func drawNoData(into svg: inout SVGBuilder) {
    svg.element(
      "text",
      [
        ("class", "no-data"), ("x", coordinate(left + plotWidth / 2)), ("y", coordinate(top + plotHeight / 2)),
        ("text-anchor", "middle"), ("font-size", coordinate(Typography.axisTitle)), ("fill", "#888888"),
      ], text: "no data")
  }

  /// The legend column right of the plot area, one row per entry.
  func drawLegend(_ entries: [LegendEntry], into svg: inout SVGBuilder) {
    guard !entries.isEmpty else { return }
    svg.open("g", [("class", "legend"), ("font-size", coordinate(Typography.legend)), ("fill", Palette.ink)])
    for (row, entry) in entries.enumerated() {
      let cy = top + 8 + Double(row) * Self.legendRow
      svg.open("g", [("class", "legend-entry"), ("data-series", entry.name)])
      var line = [
        ("x1", coordinate(legendLeft)), ("y1", coordinate(cy)), ("x2", coordinate(legendLeft + Self.legendSwatch)),
        ("y2", coordinate(cy)), ("stroke", entry.color), ("stroke-width", "2.5"),
      ]
      if entry.dashed { line.append(("stroke-dasharray", Self.dash)) }
      svg.element("line", line)
      if entry.marker {
        svg.element(
          "circle",
          [
            ("cx", coordinate(legendLeft + Self.legendSwatch / 2)), ("cy", coordinate(cy)), ("r", "3"),
            ("fill", entry.color),
          ])
      }
      svg.element(
        "text", [("x", coordinate(legendLeft + Self.legendSwatch + 6)), ("y", coordinate(cy + 4))], text: entry.name)
      svg.close("g")
    }
    svg.close("g")
  }

  private func horizontal(_ py: Double, color: String, into svg: inout SVGBuilder) {
    svg.element(
      "line",
      [
        ("x1", coordinate(left)), ("y1", coordinate(py)), ("x2", coordinate(left + plotWidth)), ("y2", coordinate(py)),
        ("stroke", color),
      ])
  }

  private func vertical(_ px: Double, color: String, into svg: inout SVGBuilder) {
    svg.element(
      "line",
      [
        ("x1", coordinate(px)), ("y1", coordinate(top)), ("x2", coordinate(px)), ("y2", coordinate(top + plotHeight)),
        ("stroke", color),
      ])
  }
}
