import Autoencoders
import Foundation
import TensorCore

/// Counts over a whole set of binary codes, batch after batch: how often each code is 1 and how
/// often each pair is 1 together. From them, exactly: the firing rates `p_j`, the estimate
/// `Σ_j H_b(p_j)`, the covariance term of the whole set, and the pairwise dependence of codes
/// (see ``EntropyEstimate``).
///
/// Memory is `O(m²)` integers for `m` codes (2304 codes: 42 MB), whatever the number of rows.
public struct CodeSetStatistics: Sendable {
  /// Code width `m`.
  public let codeWidth: Int
  /// Rows counted.
  public private(set) var rows = 0
  /// `[m]`: rows where code `j` is 1.
  public private(set) var ones: [Int]
  /// `[m, m]`: rows where codes `j` and `k` are both 1 (the diagonal repeats ``ones``).
  public private(set) var together: [Int]

  public init(codeWidth m: Int) {
    precondition(m >= 1, "a code needs at least one bit")
    codeWidth = m
    ones = [Int](repeating: 0, count: m)
    together = [Int](repeating: 0, count: m * m)
  }

  /// Counts the rows of `codes` (`[B, m]`, values 0/1).
  public mutating func add(_ codes: Matrix, workers: Int = 1) {
    precondition(codes.columns == codeWidth, "\(codes.columns) codes per row, expected \(codeWidth)")
    let (m, b) = (codeWidth, codes.rows)
    guard b > 0 else { return }
    let words = bitWordCount(b)
    var bits = [UInt64](repeating: 0, count: m * words)
    var counts = [Int32](repeating: 0, count: m * m)
    codes.withUnsafeBufferPointer { c in
      bits.withUnsafeMutableBufferPointer { packed in
        packCodeColumns(packed.baseAddress!, codes: c.baseAddress!, rows: b, columns: m)
        counts.withUnsafeMutableBufferPointer { n in
          codeCooccurrence(n.baseAddress!, columnBits: packed.baseAddress!, rows: b, columns: m, workers: workers)
        }
      }
    }
    for j in 0..<m { ones[j] += Int(counts[j * m + j]) }
    together.withUnsafeMutableBufferPointer { t in
      for i in 0..<(m * m) { t[i] += Int(counts[i]) }
    }
    rows += b
  }

  /// The estimate and its checks.
  public var estimate: EntropyEstimate { EntropyEstimate(self) }
}

/// A feature-set entropy estimate from the binary codes of all its rows, with the checks that say
/// whether to trust it.
///
/// The estimate is the reference's `entropy_eval`: `Σ_j H_b(p_j)` in bits, `p_j` the share of rows
/// whose code `j` is 1. It is the entropy of the codes if they are independent bits and an upper
/// bound otherwise; the BAE's covariance loss pushes codes towards independence. The checks
/// measure how far they are from it, over the whole set:
/// - ``covariance``: `Σ_{j≠k} |Cov(h)_jk|`, the training penalty's form (unbiased, `n − 1`),
///   computed on all rows;
/// - ``pairwiseMutualInformationBits``: `Σ_{j<k} I(h_j; h_k)` in bits from the pair counts. Where
///   it is small next to the estimate, no pair of codes double-counts much information;
/// - ``maxAbsCorrelation`` and ``correlatedPairs`` (pairs of active codes with `|ρ| > 0.5`): the
///   worst pairs.
public struct EntropyEstimate: Codable, Sendable, Equatable {
  /// Rows the codes were counted on.
  public var rows: Int
  /// Code width `m`.
  public var codeWidth: Int
  /// `Σ_j H_b(p_j)` in bits.
  public var entropyBits: Double
  /// Codes that are neither always 0 nor always 1 on these rows.
  public var activeCodes: Int
  /// Mean number of 1 bits per row.
  public var meanOnes: Double
  /// `Σ_{j≠k} |Cov(h)_jk|` over all rows (0 for fewer than two rows).
  public var covariance: Double
  /// `Σ_{j<k} I(h_j; h_k)` in bits.
  public var pairwiseMutualInformationBits: Double
  /// Largest `|ρ_jk|` between two active codes (0 with fewer than two).
  public var maxAbsCorrelation: Double
  /// Pairs of active codes with `|ρ_jk| > 0.5`.
  public var correlatedPairs: Int
  /// Active codes left when every code equal to an earlier one on all rows, or to its
  /// complement, is dropped.
  public var distinctCodes: Int
  /// `Σ H_b(p_j)` over those distinct codes: the estimate without exact copies, which carry no
  /// information of their own (the covariance penalty pushes them out, but a code whose
  /// pre-activations are far from 0 gets almost no gradient from it).
  public var distinctEntropyBits: Double
  /// `[m]` the share of rows where each code is 1.
  public var firingRates: [Double]

  /// Correlation above which a pair counts in ``correlatedPairs``.
  public static let correlatedPairThreshold = 0.5

  enum CodingKeys: String, CodingKey {
    case rows, codeWidth = "code_width", entropyBits = "entropy_bits", activeCodes = "active_codes"
    case meanOnes = "mean_ones", covariance, pairwiseMutualInformationBits = "pairwise_mutual_information_bits"
    case maxAbsCorrelation = "max_abs_correlation", correlatedPairs = "correlated_pairs"
    case distinctCodes = "distinct_codes", distinctEntropyBits = "distinct_entropy_bits"
    case firingRates = "firing_rates"
  }

  init(_ s: CodeSetStatistics) {
    let (n, m) = (s.rows, s.codeWidth)
    rows = n
    codeWidth = m
    let rates = s.ones.map { n == 0 ? 0 : Double($0) / Double(n) }
    firingRates = rates
    entropyBits = summedBernoulliEntropy(firingRates: rates)
    let active = (0..<m).filter { s.ones[$0] > 0 && s.ones[$0] < n }
    activeCodes = active.count
    meanOnes = n == 0 ? 0 : Double(s.ones.reduce(0, +)) / Double(n)
    var covarianceSum = 0.0
    var information = 0.0
    var maxCorrelation = 0.0
    var correlated = 0
    var copies = Set<Int>()
    if n >= 2 {
      let nd = Double(n)
      // Only active codes vary, so only their pairs have a non-zero covariance or information.
      for (a, j) in active.enumerated() {
        let pj = rates[j]
        for k in active[(a + 1)...] {
          let pk = rates[k]
          let pjk = Double(s.together[j * m + k]) / nd
          // Unbiased covariance of two 0/1 columns: n/(n−1) · (p_jk − p_j p_k).
          let c = nd / (nd - 1) * (pjk - pj * pk)
          covarianceSum += 2 * abs(c)
          let rho = (pjk - pj * pk) / (pj * (1 - pj) * pk * (1 - pk)).squareRoot()
          maxCorrelation = max(maxCorrelation, abs(rho))
          if abs(rho) > Self.correlatedPairThreshold { correlated += 1 }
          information += Self.mutualInformation(pj: pj, pk: pk, pjk: pjk)
          let both = s.together[j * m + k]
          if !copies.contains(j),
            (both == s.ones[j] && both == s.ones[k]) || (both == 0 && s.ones[j] + s.ones[k] == n)
          {
            copies.insert(k)
          }
        }
      }
    }
    let distinct = active.filter { !copies.contains($0) }
    distinctCodes = distinct.count
    distinctEntropyBits = summedBernoulliEntropy(firingRates: distinct.map { rates[$0] })
    covariance = covarianceSum
    pairwiseMutualInformationBits = information
    maxAbsCorrelation = maxCorrelation
    correlatedPairs = correlated
  }

  /// `I(h_j; h_k)` in bits for two bits with marginals `p_j`, `p_k` and `P(both) = p_jk`.
  static func mutualInformation(pj: Double, pk: Double, pjk: Double) -> Double {
    let cells = [
      (pjk, pj * pk), (pj - pjk, pj * (1 - pk)), (pk - pjk, (1 - pj) * pk),
      (1 - pj - pk + pjk, (1 - pj) * (1 - pk)),
    ]
    return cells.reduce(0.0) { sum, cell in
      let (joint, independent) = cell
      guard joint > 1e-15, independent > 0 else { return sum }
      return sum + joint * log2(joint / independent)
    }
  }
}
