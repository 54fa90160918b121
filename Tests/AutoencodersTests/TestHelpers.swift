import Autoencoders
import Foundation
import TensorCore
import TestSupport
import Testing

// Shared helpers: seeded data, finite differences in Double, and comparisons.

extension SeededRandom {
  /// `count` doubles uniform in `range`.
  mutating func doubles(_ count: Int, in range: ClosedRange<Double>) -> [Double] {
    (0..<count).map { _ in Double.random(in: range, using: &self) }
  }

  /// `count` codes, each 1 with probability `density`.
  mutating func codes(_ count: Int, density: Double) -> [Float] {
    (0..<count).map { _ in Double.random(in: 0..<1, using: &self) < density ? 1 : 0 }
  }
}

/// Central finite differences of `f` at `x`, perturbing each entry by `1e-6·max(1, |x_i|)`.
func numericGradient(_ x: [Double], _ f: ([Double]) -> Double) -> [Double] {
  var point = x
  return (0..<x.count).map { i in
    let h = 1e-6 * max(1, abs(x[i]))
    point[i] = x[i] + h
    let up = f(point)
    point[i] = x[i] - h
    let down = f(point)
    point[i] = x[i]
    return (up - down) / (2 * h)
  }
}

/// The worst ratio `|analytic − numeric| / (atol + rtol·|numeric|)` (≤ 1 passes), with where.
func gradientMismatch(
  _ analytic: [Float], _ numeric: [Double], rtol: Double, atol: Double
) -> (ratio: Double, index: Int, analytic: Double, numeric: Double) {
  precondition(analytic.count == numeric.count)
  var worst = (ratio: 0.0, index: -1, analytic: 0.0, numeric: 0.0)
  for i in 0..<analytic.count {
    let a = Double(analytic[i])
    let ratio = abs(a - numeric[i]) / (atol + rtol * abs(numeric[i]))
    if !(ratio <= worst.ratio) { worst = (ratio, i, a, numeric[i]) }
  }
  return worst
}

/// `max |a − b| / max |b|` (the error relative to the tensor's scale); 0 for two zero tensors.
func scaledDifference(_ actual: [Float], _ expected: [Float]) -> Double {
  guard actual.count == expected.count else { return .infinity }
  var difference = 0.0
  var scale = 0.0
  for i in 0..<actual.count {
    let d = abs(Double(actual[i]) - Double(expected[i]))
    if !(d <= difference) { difference = d }
    scale = max(scale, abs(Double(expected[i])))
  }
  return scale == 0 ? difference : difference / scale
}

/// Calls `body` with mutable pointers to a fresh array of `count` NaNs and returns the array.
func filled<T: BinaryFloatingPoint>(_ count: Int, _ body: (UnsafeMutablePointer<T>) -> Void) -> [T] {
  var out = [T](repeating: .nan, count: count)
  out.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
  return out
}

/// The sum of absolute off-diagonal entries of the unbiased covariance of the columns of
/// `h` [B, m], in Double: the f64 twin of the covariance penalty.
func covariancePenaltyTwin(_ h: [Double], rows B: Int, columns m: Int) -> Double {
  var mean = [Double](repeating: 0, count: m)
  for i in 0..<B { for j in 0..<m { mean[j] += h[i * m + j] } }
  for j in 0..<m { mean[j] /= Double(B) }
  var penalty = 0.0
  for j in 0..<m {
    for k in 0..<m where k != j {
      var c = 0.0
      for i in 0..<B { c += (h[i * m + j] - mean[j]) * (h[i * m + k] - mean[k]) }
      penalty += abs(c / Double(B - 1))
    }
  }
  return penalty
}

/// The f64 twin of the code entropy (with the reference's ε = 1e-10).
func codeEntropyTwin(_ h: [Double], rows B: Int, columns m: Int) -> Double {
  var entropy = 0.0
  for j in 0..<m {
    var p = 0.0
    for i in 0..<B { p += h[i * m + j] }
    p /= Double(B)
    entropy -= p * log2(p + 1e-10) + (1 - p) * log2(1 - p + 1e-10)
  }
  return entropy
}

/// The `CodeError` thrown by `body`, or `nil` (for the encode and compression tests).
func codeError(_ body: () throws -> Void) -> CodeError? {
  do {
    try body()
    return nil
  } catch let error as CodeError {
    return error
  } catch {
    return nil
  }
}
