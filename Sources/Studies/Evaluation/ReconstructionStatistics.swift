import Autoencoders
import TensorCore

/// How well an autoencoder reconstructs some rows, and how its codes fire on them.
///
/// For `n` rows `x` (a transcoder's targets) of width `d`, reconstructions `x̂` and codes `h`
/// of width `m`:
///
/// - `mse = Σ (x − x̂)² / (n·d)`;
/// - `fvu = Σ (x − x̂)² / Σ (x − x̄)²`, with `x̄` the per-dimension mean over **all** `n` rows
///   (not per batch, as training metrics use): the fraction of variance unexplained;
/// - `explained_variance = 1 − fvu`;
/// - `l0`: mean number of active codes per row (SAE: `h ≠ 0`; BAE: bits equal to 1);
/// - `dead`, `dense`: see ``CodeActivity`` (a BAE bit that is 1 on every row is both);
/// - `entropy_bits` (BAE only): `Σ_j H_b(p_j)` in bits, `p_j` the share of rows whose bit `j` is 1.
///
/// The per-code firing rates (`p_j`, or an SAE code's share of active rows) are in
/// ``firingRates``, which is not part of the JSON form.
public struct ReconstructionStatistics: Codable, Sendable, Equatable {
  /// Rows evaluated.
  public var rows: Int
  /// Input width `d` and code width `m`.
  public var inputWidth: Int
  public var codeWidth: Int
  /// Mean active codes per row.
  public var l0: Double
  /// Mean squared error per value.
  public var mse: Double
  /// Fraction of variance unexplained; `nil` when the rows have no variance.
  public var fractionOfVarianceUnexplained: Double?
  /// `1 − fvu`.
  public var explainedVariance: Double?
  /// Codes that never change over the rows (see ``CodeActivity``).
  public var dead: Int
  /// Codes whose firing rate exceeds ``denseThreshold``.
  public var dense: Int
  /// The firing rate above which a code counts as dense.
  public var denseThreshold: Double
  /// BAE: `Σ_j H_b(p_j)` in bits; `nil` for an SAE.
  public var entropyBits: Double?
  /// Per code, the share of rows where it is active.
  public var firingRates: [Double] = []

  enum CodingKeys: String, CodingKey {
    case rows, l0, mse, dead, dense
    case inputWidth = "input_width"
    case codeWidth = "code_width"
    case fractionOfVarianceUnexplained = "fvu"
    case explainedVariance = "explained_variance"
    case denseThreshold = "dense_threshold"
    case entropyBits = "entropy_bits"
  }
}

/// Accumulates ``ReconstructionStatistics`` batch by batch in constant memory (`O(d + m)`):
/// the squared error, per-code active counts, and the per-dimension mean and sum of squared
/// deviations of the targets, merged across batches with Chan et al.'s parallel update of
/// Welford's algorithm (exact up to rounding, without the cancellation of `Σx² − n·x̄²`).
public struct ReconstructionAccumulator: Sendable, Equatable {
  /// Rows added.
  public private(set) var rows = 0
  /// Per code: rows where it is active.
  public private(set) var active: [Int]
  /// `Σ (x − x̂)²`.
  public private(set) var squaredError = 0.0
  /// Per dimension: the mean of the targets and their summed squared deviation from it.
  var mean: [Double]
  var deviation: [Double]

  /// An empty accumulator for targets of width `inputWidth` and codes of width `codeWidth`.
  public init(inputWidth: Int, codeWidth: Int) {
    active = [Int](repeating: 0, count: codeWidth)
    mean = [Double](repeating: 0, count: inputWidth)
    deviation = [Double](repeating: 0, count: inputWidth)
  }

  /// Adds a batch.
  ///
  /// - Parameters:
  ///   - targets: `[B, d]`, what the autoencoder should reproduce.
  ///   - reconstructions: `[B, d]`, what it produced.
  ///   - codes: `[B, m]`; a code is active where it is not 0.
  public mutating func add(targets: Matrix, reconstructions: Matrix, codes: Matrix) {
    let (b, d, m) = (targets.rows, targets.columns, codes.columns)
    precondition(d == mean.count && m == active.count, "widths \(d), \(m); expected \(mean.count), \(active.count)")
    precondition(reconstructions.rows == b && reconstructions.columns == d && codes.rows == b, "batch shapes differ")
    guard b > 0 else { return }
    var batchMean = [Double](repeating: 0, count: d)
    var batchDeviation = [Double](repeating: 0, count: d)
    targets.withUnsafeBufferPointer { x in
      reconstructions.withUnsafeBufferPointer { y in
        for i in 0..<b {
          for j in 0..<d {
            let value = Double(x[i * d + j])
            let e = value - Double(y[i * d + j])
            squaredError += e * e
            batchMean[j] += value
          }
        }
        for j in 0..<d { batchMean[j] /= Double(b) }
        for i in 0..<b {
          for j in 0..<d {
            let e = Double(x[i * d + j]) - batchMean[j]
            batchDeviation[j] += e * e
          }
        }
      }
    }
    let (n, total) = (Double(rows), Double(rows + b))
    for j in 0..<d {
      let delta = batchMean[j] - mean[j]
      mean[j] += delta * Double(b) / total
      deviation[j] += batchDeviation[j] + delta * delta * n * Double(b) / total
    }
    codes.withUnsafeBufferPointer { h in
      active.withUnsafeMutableBufferPointer { counts in
        for i in 0..<b {
          let row = h.baseAddress! + i * m
          for j in 0..<m where row[j] != 0 { counts[j] += 1 }
        }
      }
    }
    rows += b
  }

  /// Per code, the share of rows where it is active (0 before any row).
  public var firingRates: [Double] { active.map { rows == 0 ? 0 : Double($0) / Double(rows) } }

  /// The statistics so far, with dead and dense codes as `activity` defines them.
  public func statistics(activity: CodeActivity) -> ReconstructionStatistics {
    let d = mean.count
    let variance = deviation.reduce(0, +)
    let fvu = variance > 0 ? squaredError / variance : nil
    let rates = firingRates
    return ReconstructionStatistics(
      rows: rows, inputWidth: d, codeWidth: active.count,
      l0: rows == 0 ? 0 : Double(active.reduce(0, +)) / Double(rows),
      mse: rows == 0 ? 0 : squaredError / (Double(rows) * Double(d)), fractionOfVarianceUnexplained: fvu,
      explainedVariance: fvu.map { 1 - $0 }, dead: activity.deadCodes(active: active, rows: rows).count,
      dense: activity.denseCodes(active: active, rows: rows).count, denseThreshold: activity.denseThreshold,
      entropyBits: activity.binary ? summedBernoulliEntropy(firingRates: rates) : nil, firingRates: rates)
  }
}
