/// Overflow-checked size arithmetic for numbers read from files: a hostile or damaged header
/// must produce an error, never a trap or a wrapped-around size.
enum CheckedSize {
  /// `a · b`, or `nil` on overflow or a negative operand.
  static func product(_ a: Int, _ b: Int) -> Int? {
    guard a >= 0, b >= 0 else { return nil }
    let (value, overflow) = a.multipliedReportingOverflow(by: b)
    return overflow ? nil : value
  }

  /// The product of `factors` (1 for none), or `nil` on overflow or a negative factor.
  static func product(_ factors: [Int]) -> Int? {
    var value = 1
    for factor in factors {
      guard let next = product(value, factor) else { return nil }
      value = next
    }
    return value
  }

  /// `a + b`, or `nil` on overflow or a negative operand.
  static func sum(_ a: Int, _ b: Int) -> Int? {
    guard a >= 0, b >= 0 else { return nil }
    let (value, overflow) = a.addingReportingOverflow(b)
    return overflow ? nil : value
  }
}
