import TensorCore

/// Data with a known entropy, for checking the BAE entropy estimator (the paper's synthetic
/// directional benchmark, `shared/reference/bae-method.md` §6): `x = c·V + ε` with
/// `c ~ Bernoulli(0.5)^r` independent bits, `V` `r` random unit directions in `R^d`, and optional
/// Gaussian noise `ε`. The true entropy of `c` is `r` bits.
public struct SyntheticCodes: Sendable {
  /// `[N, d]` samples.
  public var samples: Matrix
  /// `[N, r]` the bits that generated them.
  public var bits: Matrix
  /// `[r, d]` the directions.
  public var directions: Matrix
  /// `r`, the true entropy in bits.
  public var trueBits: Double { Double(directions.rows) }

  /// Draws `rows` samples of `bits` independent fair bits through random unit directions in
  /// `R^width`, plus noise of standard deviation `noise` per coordinate.
  public init(bits r: Int, width d: Int, rows: Int, noise: Float = 0, seed: UInt64) {
    precondition(r >= 1 && d >= 1 && rows >= 1, "synthetic data needs positive sizes")
    // Element writes go through local arrays: writing `Matrix.values[i]` from outside TensorCore
    // copies the whole array each time (its `didSet`), which made 4096 × 64 samples take seconds.
    var random = SeededRandom(seed: seed)
    var v = Matrix.normal(rows: r, columns: d, std: 1, using: &random).values
    for i in 0..<r {
      let norm = v[(i * d)..<((i + 1) * d)].reduce(0) { $0 + $1 * $1 }.squareRoot()
      for j in 0..<d { v[i * d + j] /= max(norm, 1e-12) }
    }
    var c = [Float](repeating: 0, count: rows * r)
    for i in c.indices { c[i] = random.bernoulli(0.5) ? 1 : 0 }
    bits = Matrix(rows: rows, columns: r, values: c)
    directions = Matrix(rows: r, columns: d, values: v)
    var x = Matrix.product(bits, directions, context: .serial).values
    if noise > 0 {
      for i in x.indices { x[i] += Float(random.normal()) * noise }
    }
    samples = Matrix(rows: rows, columns: d, values: x)
  }
}

/// Feature-set entropy as the BAE estimates it: `Σ_j H_b(p_j)` in bits over the codes of all
/// rows, with `p_j` the share of rows whose bit `j` is 1 (exact logs; no ε).
public func summedBernoulliEntropy(firingRates: [Double]) -> Double {
  firingRates.reduce(0) { total, p in
    guard p > 0, p < 1 else { return total }
    return total - p * _log2(p) - (1 - p) * _log2(1 - p)
  }
}

#if canImport(Glibc)
  import Glibc
  func _log2(_ x: Double) -> Double { Glibc.log2(x) }
#else
  import Foundation
  func _log2(_ x: Double) -> Double { Foundation.log2(x) }
#endif
