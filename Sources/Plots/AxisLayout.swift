import Foundation

/// An axis resolved against data: the range shown, its ticks and (log) between-decade lines,
/// and the mapping from values to pixels once the plot area is known.
struct AxisLayout {
  let axis: Axis
  let domain: ClosedRange<Double>
  let ticks: [Tick]
  let minorValues: [Double]

  /// Fits `axis` to `values` (the ones the scale can show; others are ignored).
  ///
  /// - Parameters:
  ///   - tickCount: about how many intervals between ticks.
  ///   - niceEnds: widen a linear range to whole tick steps (value axes), or keep the data's
  ///     ends (an x axis of epochs or layers).
  ///   - includeZero: extend a linear range to 0 (bar heights).
  init(axis: Axis, values: [Double], tickCount: Int, niceEnds: Bool, includeZero: Bool = false) {
    self.axis = axis
    let shown = values.filter { $0.isFinite && (axis.scale == .linear || $0 > 0) }
    var linearTicks: [Tick]?
    let domain: ClosedRange<Double>
    if let fixed = axis.range {
      domain = fixed
    } else if let low = shown.min(), let high = shown.max() {
      switch axis.scale {
      case .linear:
        var range = includeZero ? min(low, 0)...max(high, 0) : low...high
        if includeZero && range == 0...0 { range = 0...1 }  // all zero: keep the axis at and above 0
        if niceEnds || range.lowerBound == range.upperBound {
          (domain, linearTicks) = Ticks.niceLinear(range, count: tickCount)
        } else {
          domain = range
        }
      case .log10:
        domain = Ticks.decadeRange(low...high)
      }
    } else {
      domain = axis.scale == .linear ? 0...1 : 1...10
    }
    self.domain = domain
    switch axis.scale {
    case .linear:
      ticks = linearTicks ?? Ticks.linear(in: domain, count: tickCount)
      minorValues = []
    case .log10:
      let decades = Ticks.decades(in: domain, maximumCount: max(2, tickCount + 1))
      if decades.count > 2 {
        ticks = decades
      } else if decades.count == 2 || Ticks.oneTwoFive(in: domain).count >= 2 {
        ticks = Ticks.oneTwoFive(in: domain)  // one decade: label 2 and 5 as well
      } else {
        ticks = Ticks.linear(in: domain, count: tickCount)  // a fixed range inside a decade
      }
      minorValues = Ticks.betweenDecades(in: domain)
    }
  }

  /// The widest tick label, in pixels.
  var widestTickLabel: Double {
    ticks.map { Typography.width($0.label, size: Typography.tickLabel) }.max() ?? 0
  }

  /// Maps values to pixels: the domain's lower end to `start`, its upper end to `end`.
  func map(start: Double, end: Double) -> AxisMap {
    AxisMap(scale: axis.scale, domain: domain, start: start, end: end)
  }
}

/// Data value → pixel position along one axis.
struct AxisMap {
  let scale: AxisScale
  let domain: ClosedRange<Double>
  let start: Double
  let end: Double

  /// The pixel of `value`, or `nil` for NaN, ±∞ and (log scale) values `≤ 0`.
  func position(_ value: Double) -> Double? {
    guard value.isFinite else { return nil }
    let fraction: Double
    switch scale {
    case .linear:
      fraction = (value - domain.lowerBound) / (domain.upperBound - domain.lowerBound)
    case .log10:
      guard value > 0 else { return nil }
      let low = Foundation.log10(domain.lowerBound)
      fraction = (Foundation.log10(value) - low) / (Foundation.log10(domain.upperBound) - low)
    }
    return start + fraction * (end - start)
  }
}
