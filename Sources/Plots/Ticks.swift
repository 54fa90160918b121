import Foundation

/// A labelled position on an axis.
public struct Tick: Sendable, Equatable {
  /// Where the tick is, in data units.
  public var value: Double
  /// Its label, e.g. `"0.2"`, `"1e-6"`.
  public var label: String

  /// A tick at `value` labelled `label`.
  public init(value: Double, label: String) {
    self.value = value
    self.label = label
  }
}

/// Tick values that people read easily: multiples of 1, 2 or 5 times a power of ten on a
/// linear axis, powers of ten on a log axis, with labels exact in decimal (`0.3`, never
/// `0.30000000000000004`).
///
/// ```swift
/// Ticks.linear(in: 0...0.87).map(\.label)    // ["0", "0.2", "0.4", "0.6", "0.8"]
/// Ticks.decades(in: 1e-3...10).map(\.label)  // ["0.001", "0.01", "0.1", "1", "10"]
/// ```
public enum Ticks {
  /// Ticks inside `range` at the 1-2-5 step that gives at most about `count` intervals.
  ///
  /// Labels are plain decimals, or scientific (`2e6`, `5e-6`) when the ticks reach a million
  /// or the step is below 10⁻⁴.
  ///
  /// - Returns: the ticks in increasing order; one tick for a single-point range, none for a
  ///   range that is not finite.
  public static func linear(in range: ClosedRange<Double>, count: Int = 5) -> [Tick] {
    let low = range.lowerBound
    let high = range.upperBound
    guard low.isFinite && high.isFinite else { return [] }
    guard high > low else { return [Tick(value: low, label: plainLabel(low))] }
    let (multiple, exponent) = step(span: high - low, count: count)
    return linear(in: range, multiple: multiple, exponent: exponent)
  }

  /// Ticks inside `range` (finite, not a point) at multiples of `multiple · 10^exponent`.
  static func linear(in range: ClosedRange<Double>, multiple: Int, exponent: Int) -> [Tick] {
    let low = range.lowerBound
    let high = range.upperBound
    let stepValue = value(multiple, exponent: exponent)
    let first = (low / stepValue - 1e-9).rounded(.up)
    let last = (high / stepValue + 1e-9).rounded(.down)
    guard abs(first) * Double(multiple) < 1e15 && abs(last) * Double(multiple) < 1e15 else {
      // A range far from zero compared with its width: label its ends.
      return [Tick(value: low, label: plainLabel(low)), Tick(value: high, label: plainLabel(high))]
    }
    let scientific = max(abs(first), abs(last)) * stepValue >= 1e6 || exponent <= -5
    return (Int(first)...Int(last)).map { index in
      let significand = index * multiple
      return Tick(
        value: value(significand, exponent: exponent),
        label: scientific
          ? NumberText.scientific(significand, exponent: exponent) : NumberText.exact(significand, exponent: exponent))
    }
  }

  /// Ticks at the powers of ten inside `range`, every decade or every few decades so that
  /// there are at most `maximumCount`.
  ///
  /// Labels are plain decimals from `0.0001` to `100000`, otherwise `1e-6`, `1e9`.
  ///
  /// - Returns: the ticks in increasing order; none when `range` is not positive and finite
  ///   or holds no power of ten.
  public static func decades(in range: ClosedRange<Double>, maximumCount: Int = 8) -> [Tick] {
    guard range.lowerBound > 0 && range.upperBound.isFinite else { return [] }
    let first = Int((Foundation.log10(range.lowerBound) - 1e-9).rounded(.up))
    let last = Int((Foundation.log10(range.upperBound) + 1e-9).rounded(.down))
    guard first <= last else { return [] }
    let every = max(1, (last - first + maximumCount) / max(1, maximumCount))
    // Multiples of `every`, so that 1 is a tick whenever it is inside the range.
    let start = Int((Double(first) / Double(every)).rounded(.up)) * every
    return stride(from: start, through: last, by: every).map { exponent in
      Tick(value: value(1, exponent: exponent), label: decadeLabel(exponent))
    }
  }

  /// Ticks at `1`, `2` and `5` times the powers of ten inside `range` (positive, finite), for
  /// a log axis that spans a single decade, where powers of ten alone would be just its ends.
  static func oneTwoFive(in range: ClosedRange<Double>) -> [Tick] {
    let first = Int(Foundation.log10(range.lowerBound).rounded(.down))
    let last = Int(Foundation.log10(range.upperBound).rounded(.up))
    var ticks: [Tick] = []
    for exponent in first...last {
      for multiple in [1, 2, 5] {
        let v = value(multiple, exponent: exponent)
        guard v >= range.lowerBound * (1 - 1e-9) && v <= range.upperBound * (1 + 1e-9) else { continue }
        let label =
          (-4...5).contains(exponent)
          ? NumberText.exact(multiple, exponent: exponent) : NumberText.scientific(multiple, exponent: exponent)
        ticks.append(Tick(value: v, label: label))
      }
    }
    return ticks
  }

  /// The label of `10^exponent`.
  static func decadeLabel(_ exponent: Int) -> String {
    (-4...5).contains(exponent) ? NumberText.exact(1, exponent: exponent) : "1e\(exponent)"
  }

  /// `2·10^k … 9·10^k` inside `range`, for light grid lines between decades; empty when
  /// `range` spans more than `maximumDecades` decades.
  static func betweenDecades(in range: ClosedRange<Double>, maximumDecades: Int = 4) -> [Double] {
    guard range.lowerBound > 0 && range.upperBound.isFinite else { return [] }
    let first = Int(Foundation.log10(range.lowerBound).rounded(.down))
    let last = Int(Foundation.log10(range.upperBound).rounded(.up))
    guard last - first <= maximumDecades else { return [] }
    var values: [Double] = []
    for exponent in first..<last {
      for multiple in 2...9 {
        let v = value(multiple, exponent: exponent)
        if v > range.lowerBound && v < range.upperBound { values.append(v) }
      }
    }
    return values
  }

  /// The 1-2-5 step `multiple · 10^exponent` that cuts `span` into at most about `count` parts.
  static func step(span: Double, count: Int) -> (multiple: Int, exponent: Int) {
    let raw = span / Double(max(1, count))
    var exponent = Int(Foundation.log10(raw).rounded(.down))
    let fraction = raw / value(1, exponent: exponent)
    let multiple: Int
    if fraction <= 1 + 1e-9 {
      multiple = 1
    } else if fraction <= 2 + 1e-9 {
      multiple = 2
    } else if fraction <= 5 + 1e-9 {
      multiple = 5
    } else {
      multiple = 1
      exponent += 1
    }
    return (multiple, exponent)
  }

  /// `range` widened to whole steps of the 1-2-5 step for `count` intervals, and ticks at
  /// every step of it (both ends included); a single point is first widened by 10 % of its
  /// size (or by 1 at zero).
  static func niceLinear(_ range: ClosedRange<Double>, count: Int) -> (range: ClosedRange<Double>, ticks: [Tick]) {
    var low = range.lowerBound
    var high = range.upperBound
    if high == low {
      let pad = low == 0 ? 1 : abs(low) * 0.1
      low -= pad
      high += pad
    }
    let (multiple, exponent) = step(span: high - low, count: count)
    let stepValue = value(multiple, exponent: exponent)
    let first = (low / stepValue + 1e-9).rounded(.down)
    let last = max(first + 1, (high / stepValue - 1e-9).rounded(.up))
    guard abs(first) * Double(multiple) < 1e15 && abs(last) * Double(multiple) < 1e15 else {
      return (low...high, linear(in: low...high, count: count))  // far from zero compared with its width
    }
    let nice = value(Int(first) * multiple, exponent: exponent)...value(Int(last) * multiple, exponent: exponent)
    return (nice, linear(in: nice, multiple: multiple, exponent: exponent))
  }

  /// `range` (positive) widened to whole decades; a range inside one power of ten gets a
  /// decade on each side.
  static func decadeRange(_ range: ClosedRange<Double>) -> ClosedRange<Double> {
    var low = Int((Foundation.log10(range.lowerBound) + 1e-9).rounded(.down))
    var high = Int((Foundation.log10(range.upperBound) - 1e-9).rounded(.up))
    if low >= high {
      low -= 1
      high += 1
    }
    return value(1, exponent: low)...value(1, exponent: high)
  }

  /// `significand · 10^exponent` as the nearest Double.
  static func value(_ significand: Int, exponent: Int) -> Double {
    exponent >= 0
      ? Double(significand) * NumberText.power(of: exponent) : Double(significand) / NumberText.power(of: -exponent)
  }

  /// A label for an arbitrary value: three decimals, or scientific for very large or small
  /// magnitudes.
  static func plainLabel(_ value: Double) -> String {
    let magnitude = abs(value)
    if magnitude != 0 && (magnitude >= 1e6 || magnitude < 1e-3) {
      let exponent = Int(Foundation.log10(magnitude).rounded(.down)) - 3
      let significand = Int((value / Self.value(1, exponent: exponent)).rounded())
      return NumberText.scientific(significand, exponent: exponent)
    }
    return NumberText.fixed(value, decimals: 3)
  }
}
