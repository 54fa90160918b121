import Foundation
import TensorCore

/// How the decoder bias `b_dec` starts.
public enum DecoderBiasInitialization: String, Sendable, Hashable, Codable, CaseIterable {
  /// Drawn as `nn.Linear` draws it (the reference).
  case random
  /// Zeros.
  case zero
  /// The mean of the training rows (targets).
  case mean
  /// The geometric median of (up to 4,096 of) the training rows, by Weiszfeld's iteration
  /// (SAELens' `b_dec_init_method: geometric_median`).
  case geometricMedian = "geometric-median"
}

/// Practices SAELens and dictionary_learning users expect, each off by default (the reference
/// uses none): unit-norm decoder directions, a data-based decoder bias, and resampling of dead
/// codes.
extension Trainer {
  /// Rescales each decoder direction (row of `W_dec`) to unit norm.
  static func normalizeDecoder(_ weights: inout AutoencoderWeights) {
    let (m, d) = (weights.decoderWeight.rows, weights.decoderWeight.columns)
    weights.decoderWeight.withUnsafeMutableBufferPointer { w in
      normalizeDecoderDirections(w.baseAddress!, features: m, width: d, featureStride: d, elementStride: 1)
    }
  }

  /// Removes from the decoder's gradient the part parallel to each direction.
  static func projectDecoderGradient(_ gradients: inout AutoencoderWeights, weights: AutoencoderWeights) {
    let (m, d) = (weights.decoderWeight.rows, weights.decoderWeight.columns)
    gradients.decoderWeight.withUnsafeMutableBufferPointer { g in
      weights.decoderWeight.withUnsafeBufferPointer { w in
        removeParallelDecoderGradient(
          g.baseAddress!, weights: w.baseAddress!, features: m, width: d, featureStride: d, elementStride: 1)
      }
    }
  }

  /// The decoder bias `method` gives for `rows` `[N, d]` of targets (`nil` for `random`).
  public static func decoderBias(_ method: DecoderBiasInitialization, rows: Matrix) -> Matrix? {
    let (n, d) = (rows.rows, rows.columns)
    switch method {
    case .random: return nil
    case .zero: return Matrix(rows: 1, columns: d)
    case .mean:
      var mean = [Double](repeating: 0, count: d)
      for i in 0..<n { for j in 0..<d { mean[j] += Double(rows[i, j]) } }
      return Matrix(rows: 1, columns: d, values: mean.map { Float($0 / Double(max(n, 1))) })
    case .geometricMedian:
      let sample = min(n, 4096)
      var median = [Double](repeating: 0, count: d)
      for i in 0..<sample { for j in 0..<d { median[j] += Double(rows[i, j]) / Double(max(sample, 1)) } }
      // Weiszfeld: y ← Σ xᵢ/‖xᵢ − y‖ / Σ 1/‖xᵢ − y‖, from the mean.
      for _ in 0..<100 {
        var numerator = [Double](repeating: 0, count: d)
        var denominator = 0.0
        for i in 0..<sample {
          var squared = 0.0
          for j in 0..<d { squared += (Double(rows[i, j]) - median[j]) * (Double(rows[i, j]) - median[j]) }
          let weight = 1 / max(squared.squareRoot(), 1e-8)
          denominator += weight
          for j in 0..<d { numerator[j] += weight * Double(rows[i, j]) }
        }
        let next = numerator.map { $0 / denominator }
        let moved = zip(next, median).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
        median = next
        if moved < 1e-6 { break }
      }
      return Matrix(rows: 1, columns: d, values: median.map(Float.init))
    }
  }

  /// Re-initialises codes that were never active over the last window (Anthropic's "resampling",
  /// as dictionary_learning does it): each dead code `j` gets the direction of a batch row drawn
  /// with probability ∝ its squared reconstruction error, as its decoder direction (unit norm) and
  /// as its encoder column (scaled to 0.2 × the mean encoder column norm of live codes), `b_enc[j]
  /// = 0`, and its Adam moments are reset.
  ///
  /// - Returns: the number of codes resampled.
  static func resample(
    dead: [Int], weights: inout AutoencoderWeights, optimizer: inout AdamOptimizer, input: Matrix, errors: [Double],
    random: inout SeededRandom
  ) -> Int {
    guard !dead.isEmpty, input.rows > 0 else { return 0 }
    let (d, m) = (weights.encoderWeight.rows, weights.encoderWeight.columns)
    let deadSet = Set(dead)
    var liveNorm = 0.0
    var live = 0
    for j in 0..<m where !deadSet.contains(j) {
      var squared = 0.0
      for i in 0..<d { squared += Double(weights.encoderWeight[i, j]) * Double(weights.encoderWeight[i, j]) }
      liveNorm += squared.squareRoot()
      live += 1
    }
    let scale = Float(0.2 * (live > 0 ? liveNorm / Double(live) : 1))
    let total = errors.reduce(0, +)
    for j in dead {
      // Draw a row with probability ∝ its squared error (uniformly if all are 0).
      var pick = 0
      if total > 0 {
        var u = random.uniform() * total
        while pick < errors.count - 1, u >= errors[pick] {
          u -= errors[pick]
          pick += 1
        }
      } else {
        pick = random.integer(below: input.rows)
      }
      let row = Array(input.row(pick))
      let norm = max(row.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-8)
      for i in 0..<d {
        weights.decoderWeight[j, i] = row[i] / norm
        weights.encoderWeight[i, j] = row[i] / norm * scale
      }
      weights.encoderBias[0, j] = 0
    }
    optimizer.resetMoments(encoderColumns: dead, decoderRows: dead)
    return dead.count
  }
}
