/// A bar chart of counts over bins, given as bin edges and counts or computed from values.
///
/// In the document each bin is one `<rect class="bar" data-count="n">` (zero-height for an
/// empty bin), so the number of bars equals the number of bins.
///
/// On a log y axis (``AxisScale/log10`` in ``yAxis``) empty bins are skipped (they have no
/// bar: log 0 is undefined) and the axis starts at a power of ten below the smallest nonzero
/// count, so that a count of 1 still has a visible bar. Counts are never shifted (no `+1`).
public struct Histogram: SVGPicture, Equatable {
  /// The heading above the plot; empty for none.
  public var title: String
  /// The axis of the binned quantity (on a log scale, edges `≤ 0` are drawn at the axis start).
  public var xAxis: Axis
  /// The count axis (linear from 0, or log).
  public var yAxis: Axis
  /// `counts.count + 1` strictly increasing, finite edges; bin `i` is `[edges[i], edges[i+1])`,
  /// the last bin also holds its upper edge.
  public private(set) var edges: [Double]
  /// Values per bin.
  public private(set) var counts: [Int]
  /// Values not counted by ``init(title:values:binCount:range:xAxis:yAxis:width:height:)``:
  /// NaN, ±∞ and values outside `range`.
  public private(set) var skipped: Int
  /// The document size in pixels when drawn alone (a ``Figure`` sets its panels' sizes).
  public var width: Double
  public var height: Double

  /// A histogram of given bins.
  ///
  /// - Throws: ``PlotError/invalidBins(reason:)`` when there is not exactly one more edge than
  ///   counts, no bin, an edge that is not finite or not above the one before, or a negative count.
  public init(
    title: String, edges: [Double], counts: [Int], xAxis: Axis, yAxis: Axis = Axis("count"), width: Double = 640,
    height: Double = 400
  ) throws(PlotError) {
    guard !counts.isEmpty else { throw .invalidBins(reason: "no bins") }
    guard edges.count == counts.count + 1 else {
      throw .invalidBins(reason: "\(edges.count) edges for \(counts.count) counts; give one edge more than counts")
    }
    if let bad = edges.firstIndex(where: { !$0.isFinite }) {
      throw .invalidBins(reason: "edge \(bad) is \(edges[bad]); edges must be finite")
    }
    if let bad = edges.indices.dropFirst().first(where: { edges[$0] <= edges[$0 - 1] }) {
      throw .invalidBins(reason: "edge \(bad) (\(edges[bad])) is not above edge \(bad - 1) (\(edges[bad - 1]))")
    }
    if let bad = counts.firstIndex(where: { $0 < 0 }) {
      throw .invalidBins(reason: "count \(bad) is negative (\(counts[bad]))")
    }
    self.title = title
    self.edges = edges
    self.counts = counts
    self.skipped = 0
    self.xAxis = xAxis
    self.yAxis = yAxis
    self.width = width
    self.height = height
  }

  /// A histogram of `values` in `binCount` equal bins over `range`.
  ///
  /// - Parameters:
  ///   - range: the binned range; `nil` for the smallest to the largest finite value (a single
  ///     value `v` gets `v − 0.5 … v + 0.5`; no finite value, `0 … 1`). Values outside it are
  ///     not counted; NaN and ±∞ never are. Both are reported in ``skipped``.
  /// - Throws: ``PlotError/invalidBins(reason:)`` for `binCount < 1` or a range that is not
  ///   finite or has no width.
  public init(
    title: String, values: [Double], binCount: Int, range: ClosedRange<Double>? = nil, xAxis: Axis,
    yAxis: Axis = Axis("count"), width: Double = 640, height: Double = 400
  ) throws(PlotError) {
    guard binCount >= 1 else { throw .invalidBins(reason: "bin count \(binCount); give at least 1") }
    let finite = values.filter(\.isFinite)
    var bounds = range ?? ((finite.min() ?? 0)...(finite.max() ?? 1))
    if range == nil && bounds.lowerBound == bounds.upperBound {
      bounds = (bounds.lowerBound - 0.5)...(bounds.upperBound + 0.5)
    }
    guard bounds.lowerBound.isFinite && bounds.upperBound.isFinite && bounds.lowerBound < bounds.upperBound else {
      throw .invalidBins(reason: "range \(bounds) must be finite and wider than a point")
    }
    let span = bounds.upperBound - bounds.lowerBound
    var edges = (0..<binCount).map { bounds.lowerBound + span * Double($0) / Double(binCount) }
    edges.append(bounds.upperBound)
    var counts = [Int](repeating: 0, count: binCount)
    var skipped = values.count - finite.count
    for value in finite {
      guard bounds.contains(value) else {
        skipped += 1
        continue
      }
      counts[min(binCount - 1, Int((value - bounds.lowerBound) / span * Double(binCount)))] += 1
    }
    try self.init(title: title, edges: edges, counts: counts, xAxis: xAxis, yAxis: yAxis, width: width, height: height)
    self.skipped = skipped
  }

  /// The histogram as an SVG 1.1 document.
  public func svg() -> String {
    svgDocument(width: width, height: height, title: title) { draw(into: &$0, width: width, height: height, id: "0") }
  }

  /// The layout of the histogram in `width × height`.
  func frame(width: Double, height: Double, margins: ChartFrame.Margins? = nil) -> ChartFrame {
    // On a log axis, reach a decade below the smallest count so a count of 1 is a visible bar.
    let smallest = counts.filter { $0 > 0 }.min().map { Double($0) / 10 }
    let heights = counts.map(Double.init) + (yAxis.scale == .log10 ? smallest.map { [$0] } ?? [] : [])
    return ChartFrame(
      width: width, height: height, title: title, xAxis: xAxis, xValues: [edges[0], edges[edges.count - 1]],
      xNice: false,
      yAxis: yAxis, yValues: heights, yIncludeZero: true, legendNames: [], margins: margins)
  }

  /// Draws the histogram at the origin in `width × height`; `id` makes its clip path's id unique.
  func draw(into svg: inout SVGBuilder, width: Double, height: Double, id: String, margins: ChartFrame.Margins? = nil) {
    let frame = frame(width: width, height: height, margins: margins)
    frame.drawBackground(into: &svg, id: id)
    let base = frame.top + frame.plotHeight
    svg.open(
      "g",
      [
        ("class", "bars"), ("clip-path", "url(#\(ChartFrame.clipID(id)))"), ("fill", Palette.color(at: 0)),
        ("stroke", "#FFFFFF"), ("stroke-width", "0.5"),
      ])
    for (bin, count) in counts.enumerated() {
      let left = frame.xMap.position(edges[bin]) ?? frame.left
      let right = frame.xMap.position(edges[bin + 1]) ?? frame.left
      let top = frame.yMap.position(Double(count)).map { min($0, base) } ?? base
      let upper = bin == counts.count - 1 ? "]" : ")"
      svg.open(
        "rect",
        [
          ("class", "bar"), ("data-count", String(count)), ("x", coordinate(left)), ("y", coordinate(top)),
          ("width", coordinate(max(0, right - left))), ("height", coordinate(base - top)),
        ])
      svg.element(
        "title", text: "[\(Ticks.plainLabel(edges[bin])), \(Ticks.plainLabel(edges[bin + 1]))\(upper): \(count)")
      svg.close("rect")
    }
    svg.close("g")
    if counts.allSatisfy({ $0 == 0 }) { frame.drawNoData(into: &svg) }
    frame.drawAxes(into: &svg)
  }
}
