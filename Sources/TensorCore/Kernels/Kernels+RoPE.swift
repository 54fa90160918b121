import Foundation

/// Rotary position embedding in the Hugging Face "rotate half" layout: dimension `i` of each
/// head is paired with `i + headDim/2`.
///
/// For each row `t` and head `h`: `x₁' = x₁·cos − x₂·sin`, `x₂' = x₂·cos + x₁·sin`, where the
/// angle tables are looked up at `positions[t]`.
///
/// - Parameters:
///   - x: `[rows, heads · headDim]`, rotated in place.
///   - positions: `[rows]`, position id of each row.
///   - cosTable, sinTable: `[maxPositions, headDim/2]` (see ``RotaryTable``).
public func applyRoPE(
  _ x: UnsafeMutablePointer<Float>, rows: Int, heads: Int, headDim: Int,
  positions: UnsafePointer<Int32>, cosTable: UnsafePointer<Float>, sinTable: UnsafePointer<Float>
) {
  let half = headDim / 2
  for t in 0..<rows {
    let c = cosTable + Int(positions[t]) * half
    let s = sinTable + Int(positions[t]) * half
    for h in 0..<heads {
      let v = x + t * heads * headDim + h * headDim
      for i in 0..<half {
        let a = v[i]
        let b = v[i + half]
        v[i] = a * c[i] - b * s[i]
        v[i + half] = b * c[i] + a * s[i]
      }
    }
  }
}

/// Precomputed cosine and sine tables for rotary embeddings.
///
/// Angles are computed as transformers does: inverse frequencies and the products
/// `position · invFreq` in `Float`, then `cos`/`sin` of those.
public struct RotaryTable: Sendable {
  /// `[positions, headDim/2]`.
  public private(set) var cos: [Float]
  /// `[positions, headDim/2]`.
  public private(set) var sin: [Float]
  /// Number of positions the tables cover.
  public private(set) var positions: Int
  /// Inverse frequencies `[headDim/2]`.
  public let inverseFrequencies: [Float]

  /// Builds tables for `positions` positions from inverse frequencies `[headDim/2]`.
  public init(inverseFrequencies: [Float], positions: Int) {
    self.inverseFrequencies = inverseFrequencies
    self.cos = []
    self.sin = []
    self.positions = 0
    grow(to: positions)
  }

  /// Extends the tables so they cover at least `count` positions.
  public mutating func grow(to count: Int) {
    guard count > positions else { return }
    let half = inverseFrequencies.count
    cos.reserveCapacity(count * half)
    sin.reserveCapacity(count * half)
    for p in positions..<count {
      for i in 0..<half {
        let angle = Float(p) * inverseFrequencies[i]
        cos.append(Float(Foundation.cos(Double(angle))))
        sin.append(Float(Foundation.sin(Double(angle))))
      }
    }
    positions = count
  }
}
