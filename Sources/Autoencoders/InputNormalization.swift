import TensorCore

/// How inputs are scaled before the encoder; fitted on the training rows and stored in the
/// configuration, so applying the autoencoder later scales new inputs the same way.
///
/// - `none`: raw hidden states (the reference's choice).
/// - `scale(s)`: `x' = s·x` with `s = √d / mean‖x‖` over the training rows (SAELens'
///   "expected average norm √d"): one number, directions untouched.
/// - `perDimension(mean, std)`: `x' = (x − μ) / σ` per coordinate (σ floored at 1e-6).
/// - `centered` (fitted as `perDimension` with one σ for every coordinate): `x' = (x − μ) / σ`
///   with `σ² = 2·Σ_j Var(x_j) / d`, so the rows' mean squared distance from their mean is `d/2`:
///   location and scale of the set removed, directions untouched. The entropy studies use it:
///   the entropy of a set of states should not depend on where the set lies or on its scale
///   (states of one token in different prompts differ by a small spread around a large mean).
///   The factor 2 makes fair independent bits `c·V` come out at the scale `sqrtD` gives them
///   (their mean squared norm is twice their variance), so loss weights tuned on one carry over.
///
/// For an autoencoder the reconstruction lives in the scaled space and ``Autoencoder/reconstruct(_:context:)``
/// maps it back; a transcoder's targets are never scaled.
public enum InputNormalization: Sendable, Equatable {
  case none
  case scale(Float)
  case perDimension(mean: [Float], std: [Float])

  /// The kinds a user picks before fitting.
  public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
    case none
    case sqrtD = "sqrt-d"
    case perDimension = "per-dimension"
    case centered
  }

  /// Fits `kind` on `rows` `[N, d]`.
  public static func fit(_ kind: Kind, to rows: Matrix) -> InputNormalization {
    var moments = Moments(width: rows.columns)
    if kind != .none { moments.add(rows) }
    return fit(kind, moments: moments)
  }

  /// Sums over rows that every kind is fitted from (so a fit over batches streamed from disk and
  /// one over rows in memory agree).
  public struct Moments: Sendable {
    public private(set) var count = 0.0
    /// Σ‖x‖.
    public private(set) var norms = 0.0
    /// Σ x_j and Σ x_j².
    public private(set) var sum: [Double]
    public private(set) var squares: [Double]

    public init(width d: Int) {
      sum = [Double](repeating: 0, count: d)
      squares = [Double](repeating: 0, count: d)
    }

    public mutating func add(_ x: Matrix) {
      let d = x.columns
      precondition(d == sum.count, "\(d) columns, expected \(sum.count)")
      x.withUnsafeBufferPointer { v in
        for i in 0..<x.rows {
          var squared = 0.0
          for j in 0..<d {
            let value = Double(v[i * d + j])
            sum[j] += value
            squares[j] += value * value
            squared += value * value
          }
          norms += squared.squareRoot()
          count += 1
        }
      }
    }
  }

  /// Fits `kind` from the moments of the rows.
  public static func fit(_ kind: Kind, moments m: Moments) -> InputNormalization {
    let d = m.sum.count
    let count = max(m.count, 1)
    let mean = m.sum.map { $0 / count }
    let variance = zip(m.squares, mean).map { max($0 / count - $1 * $1, 0) }
    switch kind {
    case .none:
      return .none
    case .sqrtD:
      let meanNorm = m.norms / count
      return .scale(meanNorm > 0 ? Float(Double(d).squareRoot() / meanNorm) : 1)
    case .perDimension:
      return .perDimension(mean: mean.map(Float.init), std: variance.map { Float(max($0.squareRoot(), 1e-6)) })
    case .centered:
      let sigma = (2 * variance.reduce(0, +) / Double(max(d, 1))).squareRoot()
      let std = Float(sigma > 1e-12 ? sigma : 1)
      return .perDimension(mean: mean.map(Float.init), std: [Float](repeating: std, count: d))
    }
  }

  /// `x'` for every row of `x`.
  public func apply(_ x: Matrix) -> Matrix {
    var out = x
    switch self {
    case .none: break
    case .scale(let s): for i in out.values.indices { out.values[i] *= s }
    case .perDimension(let mean, let std):
      let d = x.columns
      for i in 0..<x.rows { for j in 0..<d { out.values[i * d + j] = (out.values[i * d + j] - mean[j]) / std[j] } }
    }
    return out
  }

  /// `x` from `x'` (the inverse of ``apply(_:)``).
  public func invert(_ y: Matrix) -> Matrix {
    var out = y
    switch self {
    case .none: break
    case .scale(let s): for i in out.values.indices { out.values[i] /= s }
    case .perDimension(let mean, let std):
      let d = y.columns
      for i in 0..<y.rows { for j in 0..<d { out.values[i * d + j] = out.values[i * d + j] * std[j] + mean[j] } }
    }
    return out
  }
}

extension InputNormalization: Codable {
  private enum CodingKeys: String, CodingKey { case kind, scale, mean, std }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    switch try c.decode(Kind.self, forKey: .kind) {
    case .none: self = .none
    case .sqrtD: self = .scale(try c.decode(Float.self, forKey: .scale))
    case .perDimension, .centered:
      let mean = try c.decode([Float].self, forKey: .mean)
      let std = try c.decode([Float].self, forKey: .std)
      guard mean.count == std.count, std.allSatisfy({ $0 > 0 }) else {
        throw DecodingError.dataCorruptedError(
          forKey: .std, in: c, debugDescription: "mean and std must have equal length and std > 0")
      }
      self = .perDimension(mean: mean, std: std)
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    switch self {
    case .none: try c.encode(Kind.none, forKey: .kind)
    case .scale(let s):
      try c.encode(Kind.sqrtD, forKey: .kind)
      try c.encode(s, forKey: .scale)
    case .perDimension(let mean, let std):
      try c.encode(Kind.perDimension, forKey: .kind)
      try c.encode(mean, forKey: .mean)
      try c.encode(std, forKey: .std)
    }
  }
}
