/// The loss of one batch, term by term (unweighted), and the weighted total that was optimised.
public struct LossTerms: Codable, Sendable, Equatable {
  /// Mean squared error over batch and dimension.
  public var mse: Double
  /// BAE: minibatch code entropy `Σ_j H_b(p_j)` in bits.
  public var entropy: Double?
  /// BAE: covariance penalty `Σ_{j≠k} |Cov(h)_jk|`.
  public var covariance: Double?
  /// ReLU / transcoder: `Σ |h|` over batch and codes.
  public var l1: Double?
  /// `mse + Σ weight·term` with the weights active at this step.
  public var total: Double

  public init(mse: Double, entropy: Double? = nil, covariance: Double? = nil, l1: Double? = nil, total: Double) {
    self.mse = mse
    self.entropy = entropy
    self.covariance = covariance
    self.l1 = l1
    self.total = total
  }
}

/// What a batch's codes look like: for metrics, not for gradients.
public struct CodeStatistics: Sendable, Equatable {
  /// Rows seen.
  public var rows = 0
  /// Per code: rows where it is active (BAE: bit 1; SAE: value ≠ 0).
  public var active: [Int] = []
  /// Sum over rows of active codes per row (L0 · rows).
  public var activeTotal = 0
  /// Σ (x − x̂)² and Σ (x − mean over the batch)², for the fraction of variance unexplained.
  public var squaredError = 0.0
  public var squaredDeviation = 0.0

  public init() {}

  /// Mean active codes per row.
  public var l0: Double { rows == 0 ? 0 : Double(activeTotal) / Double(rows) }
  /// Fraction of variance unexplained, `Σ(x − x̂)² / Σ(x − x̄)²`.
  public var fractionOfVarianceUnexplained: Double { squaredDeviation == 0 ? 0 : squaredError / squaredDeviation }
  /// Per-code firing rates.
  public var firingRates: [Double] { active.map { rows == 0 ? 0 : Double($0) / Double(rows) } }

  /// Adds another batch's statistics.
  public mutating func merge(_ other: CodeStatistics) {
    if active.isEmpty { active = Array(repeating: 0, count: other.active.count) }
    for j in other.active.indices { active[j] += other.active[j] }
    rows += other.rows
    activeTotal += other.activeTotal
    squaredError += other.squaredError
    squaredDeviation += other.squaredDeviation
  }
}
