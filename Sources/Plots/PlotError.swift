/// A plot could not be built from the data it was given.
public enum PlotError: Error, CustomStringConvertible, Equatable {
  /// Histogram bins that make no sense: edges not strictly increasing or not finite, a count
  /// that is negative, `edges.count != counts.count + 1`, or fewer than one bin.
  case invalidBins(reason: String)

  public var description: String {
    switch self {
    case .invalidBins(let reason):
      return "histogram bins: \(reason)"
    }
  }
}
