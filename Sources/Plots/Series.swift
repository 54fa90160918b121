/// One named line of a ``LineChart``: points joined in the order given.
///
/// A point whose x or y is NaN or ±∞ (or, on a log axis, `≤ 0`) is not drawn: the line stops
/// before it and starts again after it.
public struct Series: Sendable, Equatable {
  /// The legend text; any string (it is escaped in the document).
  public var name: String
  /// The x and y values, of equal length.
  public private(set) var x: [Double]
  public private(set) var y: [Double]
  /// Draw a dot at each point as well as the line.
  public var markers: Bool
  /// Draw the line dashed (for instance validation next to training).
  public var dashed: Bool

  /// A series from parallel x and y values.
  ///
  /// - Precondition: `x.count == y.count`.
  public init(name: String, x: [Double], y: [Double], markers: Bool = false, dashed: Bool = false) {
    precondition(x.count == y.count, "series '\(name)': \(x.count) x values for \(y.count) y values")
    self.name = name
    self.x = x
    self.y = y
    self.markers = markers
    self.dashed = dashed
  }

  /// A series from `(x, y)` points.
  public init(name: String, points: [(x: Double, y: Double)], markers: Bool = false, dashed: Bool = false) {
    self.init(name: name, x: points.map(\.x), y: points.map(\.y), markers: markers, dashed: dashed)
  }

  /// A series of `y` values at x = 0, 1, 2, … (layers, positions).
  public init(name: String, y: [Double], markers: Bool = false, dashed: Bool = false) {
    self.init(name: name, x: y.indices.map(Double.init), y: y, markers: markers, dashed: dashed)
  }

  /// The number of points.
  public var count: Int { x.count }
}
