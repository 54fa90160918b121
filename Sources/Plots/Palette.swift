/// The colours of series and bars: the Okabe–Ito palette, distinguishable with the common
/// forms of colour blindness (Okabe & Ito, "Color Universal Design", 2008).
///
/// Yellow, hard to see on white, comes last. Series beyond the eighth reuse the colours with a
/// dashed line.
public enum Palette {
  /// Blue, vermilion, bluish green, orange, reddish purple, sky blue, black, yellow.
  public static let colors: [String] = [
    "#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#000000", "#F0E442",
  ]

  /// The colour of the series at `index`.
  public static func color(at index: Int) -> String { colors[index % colors.count] }

  /// Whether the series at `index` is dashed because the colours ran out.
  static func dashedByCycle(at index: Int) -> Bool { (index / colors.count) % 2 == 1 }

  /// Text, axes and tick marks.
  static let ink = "#222222"
  /// Grid lines.
  static let grid = "#E3E3E3"
  /// Lighter grid lines between the decades of a log axis.
  static let minorGrid = "#F0F0F0"
}
