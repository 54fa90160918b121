import TensorCore

/// How inputs are scaled before the encoder; fitted on the training rows and stored in the
/// configuration, so applying the autoencoder later scales new inputs the same way.
///
/// - `none`: raw hidden states (the reference's choice).
/// - `scale(s)`: `x' = s·x` with `s = √d / mean‖x‖` over the training rows (SAELens'
///   "expected average norm √d"): one number, directions untouched.
/// - `perDimension(mean, std)`: `x' = (x − μ) / σ` per coordinate (σ floored at 1e-6).
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
  }

  /// Fits `kind` on `rows` `[N, d]`.
  public static func fit(_ kind: Kind, to rows: Matrix) -> InputNormalization {
    let (n, d) = (rows.rows, rows.columns)
    switch kind {
    case .none:
      return .none
    case .sqrtD:
      var total = 0.0
      for i in 0..<n { total += Double(rows.row(i).reduce(Float(0)) { $0 + $1 * $1 }).squareRoot() }
      let meanNorm = total / Double(max(n, 1))
      return .scale(meanNorm > 0 ? Float(Double(d).squareRoot() / meanNorm) : 1)
    case .perDimension:
      var mean = [Double](repeating: 0, count: d)
      var square = [Double](repeating: 0, count: d)
      for i in 0..<n {
        for j in 0..<d {
          let v = Double(rows[i, j])
          mean[j] += v
          square[j] += v * v
        }
      }
      let count = Double(max(n, 1))
      let mu = mean.map { $0 / count }
      let sigma = zip(square, mu).map { max(($0 / count - $1 * $1).squareRoot(), 1e-6) }
      return .perDimension(mean: mu.map(Float.init), std: sigma.map(Float.init))
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
    case .perDimension:
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
