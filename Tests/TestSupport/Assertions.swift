import Foundation
import TensorCore

/// The largest absolute difference between two equally long arrays (∞ if lengths differ).
public func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float {
  guard a.count == b.count else { return .infinity }
  var worst: Float = 0
  for i in 0..<a.count {
    let d = abs(a[i] - b[i])
    if d.isNaN { return .nan }
    if d > worst { worst = d }
  }
  return worst
}

/// `maxAbsDiff` plus where it happened, for failure messages.
public struct Closeness: CustomStringConvertible {
  public let maxDiff: Float
  public let index: Int
  public let expected: Float
  public let actual: Float

  public var description: String {
    "maxdiff \(maxDiff) at index \(index) (expected \(expected), got \(actual))"
  }
}

/// Compares `actual` to `expected` element by element.
public func closeness(_ actual: [Float], _ expected: [Float]) -> Closeness {
  guard actual.count == expected.count, !actual.isEmpty else {
    return Closeness(maxDiff: actual.count == expected.count ? 0 : .infinity, index: -1, expected: .nan, actual: .nan)
  }
  var worst: Float = 0
  var at = 0
  for i in 0..<actual.count {
    let d = abs(actual[i] - expected[i])
    if d.isNaN || d > worst {
      worst = d.isNaN ? .nan : d
      at = i
      if d.isNaN { break }
    }
  }
  return Closeness(maxDiff: worst, index: at, expected: expected[at], actual: actual[at])
}

/// Whether `actual` is within `atol + rtol·|expected|` of `expected` everywhere.
public func allClose(_ actual: [Float], _ expected: [Float], rtol: Float = 0, atol: Float) -> Bool {
  guard actual.count == expected.count else { return false }
  for i in 0..<actual.count where !(abs(actual[i] - expected[i]) <= atol + rtol * abs(expected[i])) {
    return false
  }
  return true
}

extension SeededRandom {
  /// `count` floats uniform in `-scale…scale` (test data).
  public mutating func floats(_ count: Int, scale: Float = 1) -> [Float] {
    (0..<count).map { _ in Float(uniform(-Double(scale), Double(scale))) }
  }
}
