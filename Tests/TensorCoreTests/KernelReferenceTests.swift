import Foundation
import TensorCore
import TestSupport
import Testing

// Naive twins of the BLAS/optimised kernels, written for clarity, and the comparisons.

/// out [M, N] = A [M, K] · B [K, N], triple loop in Double.
func naiveMatmul(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int) -> [Float] {
  var out = [Float](repeating: 0, count: m * n)
  for i in 0..<m {
    for j in 0..<n {
      var sum = 0.0
      for p in 0..<k { sum += Double(a[i * k + p]) * Double(b[p * n + j]) }
      out[i * n + j] = Float(sum)
    }
  }
  return out
}

func transpose(_ a: [Float], rows: Int, columns: Int) -> [Float] {
  var out = [Float](repeating: 0, count: a.count)
  for r in 0..<rows { for c in 0..<columns { out[c * rows + r] = a[r * columns + c] } }
  return out
}

@Suite struct KernelReferenceTests {
  @Test(arguments: [(1, 1, 1), (3, 5, 7), (17, 33, 64), (64, 96, 48)])
  func linearMatchesNaive(shape: (Int, Int, Int)) {
    let (rows, inDim, outDim) = shape
    var rng = SeededRandom(seed: 1)
    let x = rng.floats(rows * inDim)
    let w = rng.floats(outDim * inDim)
    var out = [Float](repeating: .nan, count: rows * outDim)
    out.withUnsafeMutableBufferPointer { o in
      linear(o.baseAddress!, x, w, rows: rows, inDim: inDim, outDim: outDim)
    }
    let expected = naiveMatmul(x, transpose(w, rows: outDim, columns: inDim), m: rows, n: outDim, k: inDim)
    #expect(maxAbsDiff(out, expected) <= 1e-5)
  }

  @Test func stridedGemmMatchesNaive() {
    // A sub-block of a wider matrix (lda > k), as attention heads are read.
    var rng = SeededRandom(seed: 2)
    let (m, n, k, lda) = (5, 4, 3, 8)
    let a = rng.floats(m * lda)
    let b = rng.floats(k * n)
    var c = [Float](repeating: 0, count: m * n)
    c.withUnsafeMutableBufferPointer {
      gemm($0.baseAddress!, ldc: n, a, lda: lda, b, ldb: n, m: m, n: n, k: k, alpha: 2)
    }
    let packed = (0..<m).flatMap { r in a[(r * lda)..<(r * lda + k)] }
    let expected = naiveMatmul(packed, b, m: m, n: n, k: k).map { $0 * 2 }
    #expect(maxAbsDiff(c, expected) <= 1e-5)
  }

  @Test func rmsNormMatchesNaive() {
    var rng = SeededRandom(seed: 3)
    let (rows, dim, eps): (Int, Int, Float) = (4, 37, 1e-5)
    let x = rng.floats(rows * dim, scale: 3)
    let g = rng.floats(dim)
    var out = [Float](repeating: 0, count: rows * dim)
    out.withUnsafeMutableBufferPointer { rmsNorm($0.baseAddress!, x, weight: g, rows: rows, dim: dim, epsilon: eps) }
    var expected = [Float](repeating: 0, count: rows * dim)
    for r in 0..<rows {
      let slice = x[(r * dim)..<((r + 1) * dim)].map(Double.init)
      let rms = (slice.map { $0 * $0 }.reduce(0, +) / Double(dim) + Double(eps)).squareRoot()
      for i in 0..<dim { expected[r * dim + i] = Float(slice[i] / rms) * g[i] }
    }
    #expect(maxAbsDiff(out, expected) <= 1e-5)
  }

  @Test func softmaxRowsMatchesNaiveWithCausalMask() {
    var rng = SeededRandom(seed: 4)
    let n = 6
    var x = rng.floats(n * n, scale: 20)
    let original = x
    x.withUnsafeMutableBufferPointer { softmaxRows($0.baseAddress!, rows: n, stride: n) { $0 + 1 } }
    for r in 0..<n {
      let valid = original[(r * n)..<(r * n + r + 1)].map(Double.init)
      let m = valid.max()!
      let e = valid.map { Foundation.exp($0 - m) }
      let s = e.reduce(0, +)
      for i in 0..<n {
        let expected = i <= r ? Float(e[i] / s) : 0
        #expect(abs(x[r * n + i] - expected) <= 1e-6)
      }
    }
  }

  @Test func ropeMatchesNaiveRotateHalf() {
    var rng = SeededRandom(seed: 5)
    let (rows, heads, headDim) = (3, 2, 8)
    let inverse = (0..<(headDim / 2)).map { 1 / Float(pow(10000.0, Double(2 * $0) / Double(headDim))) }
    let table = RotaryTable(inverseFrequencies: inverse, positions: 10)
    let positions: [Int32] = [0, 4, 9]
    var x = rng.floats(rows * heads * headDim)
    let original = x
    x.withUnsafeMutableBufferPointer {
      applyRoPE(
        $0.baseAddress!, rows: rows, heads: heads, headDim: headDim, positions: positions, cosTable: table.cos,
        sinTable: table.sin)
    }
    // q·cos + rotate_half(q)·sin with rotate_half(q) = [-q₂, q₁].
    for t in 0..<rows {
      for h in 0..<heads {
        let base = t * heads * headDim + h * headDim
        for i in 0..<headDim {
          let f = Double(inverse[i % (headDim / 2)]) * Double(positions[t])
          let rotated = i < headDim / 2 ? -original[base + i + headDim / 2] : original[base + i - headDim / 2]
          let expected = Double(original[base + i]) * cos(f) + Double(rotated) * sin(f)
          #expect(abs(Double(x[base + i]) - expected) <= 1e-5)
        }
      }
    }
  }

  @Test func swiGLUAndSiLU() {
    var gate: [Float] = [-2, 0, 1.5]
    let up: [Float] = [3, 4, -1]
    gate.withUnsafeMutableBufferPointer { swiGLU($0.baseAddress!, up: up, count: 3) }
    for (i, g) in [Float(-2), 0, 1.5].enumerated() {
      let expected = Double(g) / (1 + exp(-Double(g))) * Double(up[i])
      #expect(abs(Double(gate[i]) - expected) <= 1e-6)
    }
  }

  @Test func halfAndBFloat16RoundTrip() {
    for v: Float in [0, -0, 1, -2.5, 65504, 6.1035156e-05, 5.9604645e-08, 0.333333, 1e-9] {
      let h = halfBitsFromFloat(v)
      #expect(abs(floatFromHalfBits(h) - v) <= max(abs(v) * 1e-3, 6e-8))
      let b = bfloat16BitsFromFloat(v)
      #expect(abs(floatFromBFloat16Bits(b) - v) <= abs(v) * 1e-2)
    }
    #expect(floatFromHalfBits(0x7C00) == .infinity)
    #expect(floatFromHalfBits(0x3C00) == 1)
    #expect(floatFromBFloat16Bits(0x3F80) == 1)
  }
}

@Suite struct ExpKernelTests {
  @Test func expMatchesFoundationExpOverFloatRange() {
    let input = stride(from: Float(-87), to: 88, by: 0.0137).map { $0 }
    var output = [Float](repeating: 0, count: input.count)
    output.withUnsafeMutableBufferPointer { _ = expShifted($0.baseAddress!, input, shift: 0, count: input.count) }
    var worst: Double = 0
    for (x, y) in zip(input, output) {
      let expected = Foundation.exp(Double(x))
      worst = max(worst, abs(Double(y) - expected) / expected)
    }
    #expect(worst <= 3e-7, "worst relative error \(worst)")
    var tiny: [Float] = [-200, 0]
    tiny.withUnsafeMutableBufferPointer { _ = expShifted($0.baseAddress!, $0.baseAddress!, shift: 0, count: 2) }
    #expect(tiny[0] <= 1e-37 && tiny[1] == 1)
  }

  @Test func swiGLUMatchesNaiveOnLongInput() {
    var rng = SeededRandom(seed: 12)
    let gate = rng.floats(1000, scale: 30)
    let up = rng.floats(1000)
    var out = gate
    out.withUnsafeMutableBufferPointer { swiGLU($0.baseAddress!, up: up, count: 1000) }
    let expected = zip(gate, up).map { g, u in Float(Double(g) / (1 + Foundation.exp(-Double(g))) * Double(u)) }
    #expect(allClose(out, expected, rtol: 1e-6, atol: 1e-7))
  }

  @Test func expShiftedHandlesTailsAndSums() {
    var rng = SeededRandom(seed: 11)
    for count in [1, 15, 16, 17, 40] {
      let input = rng.floats(count, scale: 10)
      var output = [Float](repeating: 0, count: count)
      let sum = output.withUnsafeMutableBufferPointer { expShifted($0.baseAddress!, input, shift: 3, count: count) }
      let expected = input.map { Float(Foundation.exp(Double($0 - 3))) }
      #expect(allClose(output, expected, rtol: 1e-6, atol: 0))
      #expect(abs(sum - expected.reduce(0, +)) <= 1e-5 * expected.reduce(0, +))
    }
  }
}
