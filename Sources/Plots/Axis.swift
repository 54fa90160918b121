/// How values map to positions along an axis.
public enum AxisScale: String, Sendable, Hashable, CaseIterable {
  /// Equal differences, equal distances; ticks at 1-2-5 steps.
  case linear
  /// Equal ratios, equal distances; ticks at powers of ten (and at 2 and 5 times them when the
  /// axis spans only one decade). Values `≤ 0` (and NaN, ±∞) have no
  /// position: a line chart leaves a gap there, a histogram draws no bar.
  case log10
}

/// One axis of a chart: its label, unit, scale and (optionally) a fixed range.
public struct Axis: Sendable, Equatable {
  /// What the axis measures, e.g. `"entropy"`.
  public let label: String
  /// The unit, e.g. `"bits"`, written after the label in parentheses; `nil` for none.
  public let unit: String?
  /// Linear or logarithmic.
  public let scale: AxisScale
  /// The range shown, or `nil` to fit the data (a value axis is widened to whole tick steps,
  /// or whole decades on a log scale). Data outside a fixed range is clipped.
  public let range: ClosedRange<Double>?

  /// An axis.
  ///
  /// - Precondition: a fixed `range` is finite and not a single point, and positive on a log
  ///   scale (these are programming errors, not data errors).
  public init(_ label: String = "", unit: String? = nil, scale: AxisScale = .linear, range: ClosedRange<Double>? = nil)
  {
    if let range {
      precondition(
        range.lowerBound.isFinite && range.upperBound.isFinite && range.lowerBound < range.upperBound,
        "an axis range must be finite and wider than a point, got \(range)")
      precondition(scale == .linear || range.lowerBound > 0, "a log axis range must be positive, got \(range)")
    }
    self.label = label
    self.unit = unit
    self.scale = scale
    self.range = range
  }

  /// The text written along the axis: `"label (unit)"`, or the label alone.
  public var title: String {
    guard let unit, !unit.isEmpty else { return label }
    return label.isEmpty ? "(\(unit))" : "\(label) (\(unit))"
  }
}
