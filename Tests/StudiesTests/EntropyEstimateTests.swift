import Autoencoders
import Foundation
import Studies
import TensorCore
import Testing

@Suite struct EntropyEstimateTests {
  /// Random 0/1 codes with a few planted dependencies.
  static func codes(rows n: Int, columns m: Int, seed: UInt64) -> Matrix {
    var random = SeededRandom(seed: seed)
    var v = [Float](repeating: 0, count: n * m)
    for i in 0..<n {
      for j in 0..<m { v[i * m + j] = random.bernoulli(0.1 + 0.8 * Double(j) / Double(m)) ? 1 : 0 }
      v[i * m + 1] = v[i * m + 0]  // code 1 copies code 0
      v[i * m + 3] = 1 - v[i * m + 2]  // code 3 negates code 2
      v[i * m + m - 1] = 1  // always on
    }
    return Matrix(rows: n, columns: m, values: v)
  }

  /// The naive twin: dense covariance (as `torch.cov`), correlations and mutual information.
  struct Naive {
    var entropy = 0.0
    var covariance = 0.0
    var information = 0.0
    var maxCorrelation = 0.0
    init(_ h: Matrix) {
      let (n, m) = (h.rows, h.columns)
      let p = (0..<m).map { j in (0..<n).reduce(0.0) { $0 + Double(h[$1, j]) } / Double(n) }
      entropy = summedBernoulliEntropy(firingRates: p)
      for j in 0..<m {
        for k in 0..<m where k != j {
          var c = 0.0
          var both = 0.0
          for i in 0..<n {
            c += (Double(h[i, j]) - p[j]) * (Double(h[i, k]) - p[k])
            both += Double(h[i, j] * h[i, k])
          }
          covariance += abs(c / Double(n - 1))
          let active = p[j] > 0 && p[j] < 1 && p[k] > 0 && p[k] < 1
          guard active, k > j else { continue }
          maxCorrelation = max(maxCorrelation, abs(c / Double(n)) / (p[j] * (1 - p[j]) * p[k] * (1 - p[k])).squareRoot())
          let pjk = both / Double(n)
          let table = [
            (pjk, p[j] * p[k]), (p[j] - pjk, p[j] * (1 - p[k])), (p[k] - pjk, (1 - p[j]) * p[k]),
            (1 - p[j] - p[k] + pjk, (1 - p[j]) * (1 - p[k])),
          ]
          for (joint, independent) in table where joint > 0 { information += joint * log2(joint / independent) }
        }
      }
    }
  }

  @Test func batchedCountsMatchTheNaiveFormulas() {
    let h = Self.codes(rows: 300, columns: 70, seed: 3)
    var statistics = CodeSetStatistics(codeWidth: 70)
    // Uneven batches, so the accumulation over batches is exercised.
    for range in [0..<17, 17..<150, 150..<300] { statistics.add(h.rows(range)) }
    let e = statistics.estimate
    let naive = Naive(h)
    #expect(e.rows == 300 && e.codeWidth == 70)
    #expect(abs(e.entropyBits - naive.entropy) < 1e-9)
    #expect(abs(e.covariance - naive.covariance) / naive.covariance < 1e-9)
    #expect(abs(e.pairwiseMutualInformationBits - naive.information) < 1e-9)
    #expect(abs(e.maxAbsCorrelation - 1) < 1e-9, "a copied code correlates fully")
    #expect(abs(e.maxAbsCorrelation - naive.maxCorrelation) < 1e-9)
    #expect(e.correlatedPairs >= 2, "the copy and the negation")
    #expect(e.activeCodes == 69, "the always-on code is not active")
  }

  @Test func independentBitsHaveNoPairwiseInformation() {
    // All 2^6 patterns once each: 6 exactly independent fair bits.
    var v: [Float] = []
    for pattern in 0..<64 { for b in 0..<6 { v.append(Float((pattern >> b) & 1)) } }
    var statistics = CodeSetStatistics(codeWidth: 6)
    statistics.add(Matrix(rows: 64, columns: 6, values: v))
    let e = statistics.estimate
    #expect(abs(e.entropyBits - 6) < 1e-12)
    #expect(abs(e.pairwiseMutualInformationBits) < 1e-12 && e.maxAbsCorrelation < 1e-12 && e.covariance < 1e-12)
  }

  /// The known-answer check through the `bae entropy --synthetic` path (r = 16; the
  /// autoencoder tests cover 8, 16 and 32 with the same recipe).
  @Test func syntheticCheckRecoversSixteenBits() throws {
    let check = try SyntheticEntropyCheck(bits: 16, seed: 16, context: .serial)
    #expect(abs(check.relativeError) <= 0.05, "estimated \(check.estimate.entropyBits) bits for 16")
    #expect(check.estimate.correlatedPairs == 0)
  }

  @Test func fitScheduleIsSetInSteps() {
    let s = EntropyFitSettings()
    let large = s.trainingOptions(rows: 4096, seed: 0)  // the known-answer test's schedule
    #expect(large.epochs == 160 && large.batchSize == 256 && large.learningRateDecayEpochs == 40)
    #expect(large.entropyWarmupEpochs == 60 && large.covarianceWarmupEpochs == 100 && large.trainFraction == 1)
    let small = s.trainingOptions(rows: 64, seed: 0)  // one step per epoch
    #expect(small.batchSize == 64 && small.epochs == 2560 && small.learningRateDecayEpochs == 640)
  }
}

extension EntropyEstimateTests {
  @Test func exactCopiesAndComplementsAreDroppedFromTheDistinctEstimate() {
    let h = Self.codes(rows: 300, columns: 70, seed: 5)
    var statistics = CodeSetStatistics(codeWidth: 70)
    statistics.add(h)
    let e = statistics.estimate
    // Code 1 copies code 0 and code 3 negates code 2: two fewer distinct codes, and their bits.
    #expect(e.distinctCodes == e.activeCodes - 2)
    let rates = e.firingRates
    let expected = e.entropyBits - summedBernoulliEntropy(firingRates: [rates[1], rates[3]])
    #expect(abs(e.distinctEntropyBits - expected) < 1e-9)
  }
}
