import Autoencoders
import Foundation
import TensorCore
import TestSupport
import Testing

/// The covariance penalty: the dense GEMM kernels and the bit-packed popcount kernels against
/// an exact naive twin, against finite differences, and against each other.
@Suite struct CovarianceTests {
  /// Results of the dense kernels for codes `h` [B, m].
  struct Dense {
    var penalty: Double
    var covariance: [Float]
    var gradient: [Float]
  }

  static func dense(_ h: [Float], rows B: Int, columns m: Int, zeroTolerance: Float = 0, weight: Float = 1) -> Dense {
    var covariance = [Float](repeating: 0, count: m * m)
    var centered = [Float](repeating: 0, count: B * m)
    var signs = [Float](repeating: 0, count: m * m)
    let penalty = covariancePenalty(&covariance, centered: &centered, codes: h, rows: B, columns: m)
    let gradient: [Float] = filled(B * m) {
      covariancePenaltyBackward(
        $0, signs: &signs, covariance: covariance, centered: centered, rows: B, columns: m,
        zeroTolerance: zeroTolerance, weight: weight)
    }
    return Dense(penalty: penalty, covariance: covariance, gradient: gradient)
  }

  /// Results of the popcount kernels for 0/1 codes `h` [B, m].
  static func binary(_ h: [Float], rows B: Int, columns m: Int, weight: Float = 1, workers: Int = 1) -> Dense {
    let (W, V) = (bitWordCount(B), bitWordCount(m))
    var columnBits = [UInt64](repeating: 0, count: m * W)
    var rowBits = [UInt64](repeating: 0, count: B * V)
    var cooccurrence = [Int32](repeating: 0, count: m * m)
    var signBits = [UInt64](repeating: 0, count: V * 2 * m)
    var counts = [Int32](repeating: 0, count: B * 2 * m)
    var covariance = [Float](repeating: 0, count: m * m)
    packCodeColumns(&columnBits, codes: h, rows: B, columns: m, workers: workers)
    packCodeRows(&rowBits, codes: h, rows: B, columns: m, workers: workers)
    codeCooccurrence(&cooccurrence, columnBits: columnBits, rows: B, columns: m, workers: workers)
    let penalty = binaryCovariancePenalty(&covariance, cooccurrence: cooccurrence, rows: B, columns: m)
    var fromBackward = Double.nan
    let gradient: [Float] = filled(B * m) {
      fromBackward = binaryCovariancePenaltyBackward(
        $0, signBits: &signBits, counts: &counts, cooccurrence: cooccurrence, rowBits: rowBits, rows: B,
        columns: m, weight: weight, workers: workers)
    }
    // The backward's own sum of |numerators| (full rows, in C) is the same integer as the
    // penalty's upper triangle doubled: the same Double, bit for bit.
    #expect(fromBackward.bitPattern == penalty.bitPattern, "\(fromBackward) vs \(penalty)")
    return Dense(penalty: penalty, covariance: covariance, gradient: gradient)
  }

  /// Exact twin for 0/1 codes: integer covariance numerators, exact signs, Double gradient.
  static func exactTwin(_ h: [Float], rows B: Int, columns m: Int) -> (
    penalty: Double, covariance: [Double], gradient: [Double]
  ) {
    var n = [Int](repeating: 0, count: m)
    for i in 0..<B { for j in 0..<m where h[i * m + j] != 0 { n[j] += 1 } }
    var numerator = [Int](repeating: 0, count: m * m)
    for j in 0..<m {
      for k in 0..<m {
        var both = 0
        for i in 0..<B where h[i * m + j] != 0 && h[i * m + k] != 0 { both += 1 }
        numerator[j * m + k] = B * both - n[j] * n[k]
      }
    }
    let denominator = Double(B * (B - 1))
    var penalty = 0.0
    for j in 0..<m { for k in 0..<m where k != j { penalty += Double(abs(numerator[j * m + k])) } }
    var gradient = [Double](repeating: 0, count: B * m)
    for i in 0..<B {
      for j in 0..<m {
        var sum = 0.0
        for k in 0..<m where k != j {
          let s = numerator[k * m + j].signum()
          sum += (Double(h[i * m + k]) - Double(n[k]) / Double(B)) * Double(s)
        }
        gradient[i * m + j] = 2 / Double(B - 1) * sum
      }
    }
    return (penalty / denominator, numerator.map { Double($0) / denominator }, gradient)
  }

  @Test(arguments: [(2, 1), (3, 5), (17, 4), (63, 7), (64, 64), (65, 65), (100, 33), (130, 70)])
  func popcountMatchesExactTwin(shape: (Int, Int)) {
    let (B, m) = shape
    var rng = SeededRandom(seed: UInt64(B * 1000 + m))
    var h = rng.codes(B * m, density: 0.3)
    if m > 2 {
      for i in 0..<B {
        h[i * m] = 0
        h[i * m + 1] = 1
      }  // a dead and a saturated column
    }
    let exact = Self.exactTwin(h, rows: B, columns: m)
    let fast = Self.binary(h, rows: B, columns: m, workers: 2)
    #expect(abs(fast.penalty - exact.penalty) <= 1e-12 * max(1, exact.penalty))
    #expect(zip(fast.covariance, exact.covariance).allSatisfy { abs(Double($0) - $1) <= 1e-7 * max(1e-3, abs($1)) })
    let worst = gradientMismatch(fast.gradient, exact.gradient, rtol: 1e-6, atol: 1e-7)
    #expect(worst.ratio <= 1, "B=\(B) m=\(m): \(worst)")
  }

  /// The dense GEMM kernels give the same as the popcount kernels on 0/1 codes, once entries of C
  /// below the smallest nonzero binary covariance count as zero.
  @Test(arguments: [(16, 9), (64, 64), (100, 65), (129, 200), (257, 300)])
  func denseMatchesPopcount(shape: (Int, Int)) {
    let (B, m) = shape
    var rng = SeededRandom(seed: UInt64(B + 7 * m))
    let h = rng.codes(B * m, density: 0.45)
    let tolerance = Float(0.5 / (Double(B) * Double(B) * Double(B - 1)))
    let dense = Self.dense(h, rows: B, columns: m, zeroTolerance: tolerance, weight: 0.5)
    let fast = Self.binary(h, rows: B, columns: m, weight: 0.5)
    #expect(abs(dense.penalty - fast.penalty) <= 1e-5 * fast.penalty)
    #expect(maxAbsDiff(dense.covariance, fast.covariance) <= 1e-6)
    #expect(scaledDifference(dense.gradient, fast.gradient) <= 1e-5)
  }

  /// The size of the benchmark (B = 512, m = 4·576): the two implementations agree.
  @Test func denseMatchesPopcountAtBenchmarkSize() {
    let (B, m) = (512, 2304)
    var rng = SeededRandom(seed: 512)
    let h = rng.codes(B * m, density: 0.5)
    let tolerance = Float(0.5 / (Double(B) * Double(B) * Double(B - 1)))
    let dense = Self.dense(h, rows: B, columns: m, zeroTolerance: tolerance)
    let fast = Self.binary(h, rows: B, columns: m, workers: 2)
    #expect(abs(dense.penalty - fast.penalty) <= 1e-5 * fast.penalty)
    #expect(maxAbsDiff(dense.covariance, fast.covariance) <= 1e-6)
    #expect(scaledDifference(dense.gradient, fast.gradient) <= 1e-5)
  }

  /// Continuous codes (where D is smooth): the dense kernels against finite differences.
  @Test(arguments: [(6, 4), (12, 9)])
  func denseGradientMatchesFiniteDifferences(shape: (Int, Int)) {
    let (B, m) = shape
    var rng = SeededRandom(seed: UInt64(60 + B))
    let h = rng.floats(B * m)
    let dense = Self.dense(h, rows: B, columns: m, weight: 1)
    let twin = { (x: [Double]) in covariancePenaltyTwin(x, rows: B, columns: m) }
    #expect(abs(dense.penalty - twin(h.map(Double.init))) <= 1e-5 * dense.penalty)
    let worst = gradientMismatch(dense.gradient, numericGradient(h.map(Double.init), twin), rtol: 1e-4, atol: 1e-5)
    #expect(worst.ratio <= 1, "\(worst)")
  }

  /// 0/1 codes: the popcount gradient against central differences of the dense f64 formula.
  /// Where C_jk = 0 exactly the central difference of |C_jk| is 0, which is sign(0) = 0.
  @Test(arguments: [(8, 6), (20, 11)])
  func popcountGradientMatchesFiniteDifferences(shape: (Int, Int)) {
    let (B, m) = shape
    var rng = SeededRandom(seed: UInt64(70 + B))
    let h = rng.codes(B * m, density: 0.5)
    let fast = Self.binary(h, rows: B, columns: m)
    let twin = { (x: [Double]) in covariancePenaltyTwin(x, rows: B, columns: m) }
    #expect(abs(fast.penalty - twin(h.map(Double.init))) <= 1e-9 * fast.penalty)
    let worst = gradientMismatch(fast.gradient, numericGradient(h.map(Double.init), twin), rtol: 1e-4, atol: 1e-5)
    #expect(worst.ratio <= 1, "\(worst)")
  }

  @Test func accumulateAddsToTheGradient() {
    var rng = SeededRandom(seed: 80)
    let (B, m) = (33, 70)
    let h = rng.codes(B * m, density: 0.4)
    let once = Self.binary(h, rows: B, columns: m, weight: 0.25)
    let (W, V) = (bitWordCount(B), bitWordCount(m))
    var columnBits = [UInt64](repeating: 0, count: m * W)
    var rowBits = [UInt64](repeating: 0, count: B * V)
    var cooccurrence = [Int32](repeating: 0, count: m * m)
    var signBits = [UInt64](repeating: 0, count: V * 2 * m)
    var counts = [Int32](repeating: 0, count: B * 2 * m)
    packCodeColumns(&columnBits, codes: h, rows: B, columns: m)
    packCodeRows(&rowBits, codes: h, rows: B, columns: m)
    codeCooccurrence(&cooccurrence, columnBits: columnBits, rows: B, columns: m)
    var gradient = [Float](repeating: 1, count: B * m)
    binaryCovariancePenaltyBackward(
      &gradient, signBits: &signBits, counts: &counts, cooccurrence: cooccurrence, rowBits: rowBits, rows: B,
      columns: m, weight: 0.25, accumulate: true)
    #expect(maxAbsDiff(gradient, once.gradient.map { $0 + 1 }) <= 1e-6)
  }

  @Test func packingFollowsTheDocumentedBitOrder() {
    // h [3, 70]: row 0 sets column 0, row 1 sets column 65, row 2 sets columns 0 and 69.
    let (B, m) = (3, 70)
    var h = [Float](repeating: 0, count: B * m)
    h[0] = 1
    h[m + 65] = 1
    h[2 * m] = 1
    h[2 * m + 69] = 1
    var columns = [UInt64](repeating: 9, count: m * bitWordCount(B))  // [m, W = 1]
    packCodeColumns(&columns, codes: h, rows: B, columns: m)
    #expect(columns[0] == 0b101 && columns[65] == 0b010 && columns[69] == 0b100)
    #expect(columns.enumerated().allSatisfy { [0, 65, 69].contains($0.offset) || $0.element == 0 })
    var rows = [UInt64](repeating: 9, count: B * bitWordCount(m))  // [B = 3, V = 2]
    packCodeRows(&rows, codes: h, rows: B, columns: m)
    #expect(rows == [1, 0, 0, 1 << 1, 1, 1 << 5])
  }

  /// The packing kernels against a plain bit-by-bit twin on shapes with partial words, for 1
  /// and several workers.
  @Test(arguments: [(1, 1, 1), (63, 65, 2), (130, 200, 3), (512, 129, 2)])
  func packingMatchesTheBitByBitTwin(shape: (Int, Int, Int)) {
    let (B, m, workers) = shape
    var rng = SeededRandom(seed: UInt64(B * m))
    let h = (0..<(B * m)).map { _ in Float(rng.next() & 1) }
    let (W, V) = (bitWordCount(B), bitWordCount(m))
    var expectedColumns = [UInt64](repeating: 0, count: m * W)
    var expectedRows = [UInt64](repeating: 0, count: B * V)
    for i in 0..<B {
      for j in 0..<m where h[i * m + j] != 0 {
        expectedColumns[j * W + i / 64] |= 1 << UInt64(i % 64)
        expectedRows[i * V + j / 64] |= 1 << UInt64(j % 64)
      }
    }
    var columns = [UInt64](repeating: 7, count: m * W)
    var rows = [UInt64](repeating: 7, count: B * V)
    packCodeColumns(&columns, codes: h, rows: B, columns: m, workers: workers)
    packCodeRows(&rows, codes: h, rows: B, columns: m, workers: workers)
    #expect(columns == expectedColumns)
    #expect(rows == expectedRows)
  }

  @Test(arguments: [(1, 1, 1), (5, 37, 3), (9, 70, 2), (33, 65, 8)])
  func andPopcountMatchesNaive(shape: (Int, Int, Int)) {
    let (R, C, W) = shape
    var rng = SeededRandom(seed: UInt64(R * C * W))
    let (lda, ldb) = (W + 3, C + 1)  // a [R, lda] row-major, b [W, ldb] word-major
    let a = (0..<(R * lda)).map { _ in rng.next() }
    let b = (0..<(W * ldb)).map { _ in rng.next() & rng.next() }
    let ldo = C + 2
    var out = [Int32](repeating: -1, count: R * ldo)
    andPopcount(&out, ldo: ldo, a, lda: lda, rows: R, b, ldb: ldb, columns: C, words: W, workers: 2)
    for i in 0..<R {
      for j in 0..<C {
        var expected = 0
        for w in 0..<W { expected += (a[i * lda + w] & b[w * ldb + j]).nonzeroBitCount }
        #expect(out[i * ldo + j] == Int32(expected), "(\(i), \(j))")
      }
      #expect(out[i * ldo + C] == -1 && out[i * ldo + C + 1] == -1)
    }
  }
}
