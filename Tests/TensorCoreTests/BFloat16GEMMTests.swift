import Foundation
import TensorCore
import TestSupport
import Testing

// The bf16 products against a naive twin: inputs rounded to bfloat16 exactly as the kernel does,
// products accumulated in Double. bf16 · bf16 products are exact in f32, so the only difference
// is the kernel's f32 accumulation: |out − ref| ≤ K · 2⁻²⁴ · Σ|a·w| (the classic summation bound
// γ_K), plus 1e-30 for all-zero rows.

/// out [M, N] = bf16(a) [M, K] · bf16(w)ᵀ, `w [N, K]`, in Double; also Σ|a·w| per element.
func naiveBFloat16Linear(_ a: [Float], _ w: [Float], m: Int, n: Int, k: Int) -> (out: [Double], magnitude: [Double]) {
  let ar = a.map { Double(floatFromBFloat16Bits(bfloat16BitsFromFloat($0))) }
  let wr = w.map { Double(floatFromBFloat16Bits(bfloat16BitsFromFloat($0))) }
  var out = [Double](repeating: 0, count: m * n)
  var magnitude = [Double](repeating: 0, count: m * n)
  for i in 0..<m {
    for j in 0..<n {
      var sum = 0.0
      var size = 0.0
      for p in 0..<k {
        sum += ar[i * k + p] * wr[j * k + p]
        size += abs(ar[i * k + p] * wr[j * k + p])
      }
      out[i * n + j] = sum
      magnitude[i * n + j] = size
    }
  }
  return (out, magnitude)
}

@Suite struct BFloat16GEMMTests {
  @Test func conversionRoundsToNearestEven() {
    var rng = SeededRandom(seed: 3)
    var values = rng.floats(10_000, scale: 100)
    values += [0, -0, 1, -1, .infinity, -.infinity, .greatestFiniteMagnitude, .leastNonzeroMagnitude]
    values += [Float(bitPattern: 0x3F80_8000), Float(bitPattern: 0x3F81_8000), Float(bitPattern: 0x3F80_8001)]
    let bits = bfloat16Bits(values)
    for (value, b) in zip(values, bits) { #expect(b == bfloat16BitsFromFloat(value), "\(value)") }
    #expect(bits[values.count - 3] == 0x3F80, "tie rounds down to even")
    #expect(bits[values.count - 2] == 0x3F82, "tie rounds up to even")
    #expect(bits[values.count - 1] == 0x3F81, "above the tie rounds up")
    #expect(floatFromBFloat16Bits(bfloat16Bits([.nan])[0]).isNaN)
  }

  @Test(
    arguments: [
      (1, 1, 1, 1), (3, 5, 7, 1), (17, 33, 64, 2), (64, 96, 48, 2), (2, 1536, 576, 2), (300, 200, 96, 3),
    ], [BFloat16Kernel.oneDNN, .widened])
  func linearMatchesNaiveTwin(shape: (Int, Int, Int, Int), kernel: BFloat16Kernel) throws {
    let (rows, inDim, outDim, threads) = shape
    var rng = SeededRandom(seed: UInt64(rows * 1000 + inDim))
    let x = rng.floats(rows * inDim, scale: 4)
    let w = rng.floats(outDim * inDim)
    let weight = bfloat16Bits(w)
    let gemm = try BFloat16GEMM()
    var out = [Float](repeating: .nan, count: rows * outDim)
    try out.withUnsafeMutableBufferPointer { o throws(MatmulError) in
      try weight.withUnsafeBufferPointer { wp throws(MatmulError) in
        try gemm.linear(
          o.baseAddress!, x, wp.baseAddress!, rows: rows, inDim: inDim, outDim: outDim, threads: threads,
          kernel: kernel)
      }
    }
    let (expected, magnitude) = naiveBFloat16Linear(x, w, m: rows, n: outDim, k: inDim)
    var worst = 0.0
    for i in out.indices {
      let bound = Double(inDim) * 0x1p-24 * magnitude[i] + 1e-30
      worst = max(worst, abs(Double(out[i]) - expected[i]) / bound)
    }
    #expect(worst <= 1, "\(kernel): error reaches \(worst) × the f32 summation bound")
  }

  /// The widened kernel is OpenBLAS's sgemm on the bf16 operands widened to f32: bit for bit the
  /// f32 `linear` of those operands when the weight fits one block; a weight larger than a block
  /// (here 65,600 × 64 > 2²² elements) is widened block by block and still meets the naive bound.
  @Test(arguments: [(48, 96, 80, 2), (12, 64, 65_600, 2)])
  func widenedKernelIsSgemmOnWidenedOperands(shape: (Int, Int, Int, Int)) throws {
    let (rows, inDim, outDim, threads) = shape
    var rng = SeededRandom(seed: UInt64(outDim))
    let x = rng.floats(rows * inDim, scale: 3)
    let weight = bfloat16Bits(rng.floats(outDim * inDim))
    let gemm = try BFloat16GEMM()
    var out = [Float](repeating: .nan, count: rows * outDim)
    try out.withUnsafeMutableBufferPointer { o throws(MatmulError) in
      try gemm.linear(
        o.baseAddress!, x, weight, rows: rows, inDim: inDim, outDim: outDim, threads: threads, kernel: .widened)
    }
    let roundedX = bfloat16Bits(x).map(floatFromBFloat16Bits)
    let widenedW = weight.map(floatFromBFloat16Bits)
    var reference = [Float](repeating: 0, count: rows * outDim)
    reference.withUnsafeMutableBufferPointer { r in
      linear(r.baseAddress!, roundedX, widenedW, rows: rows, inDim: inDim, outDim: outDim, threads: threads)
    }
    if outDim * inDim <= 1 << 22 {
      #expect(out == reference)
    } else {
      // Another column split may pick other OpenBLAS edge kernels: same bound as the naive twin's.
      var worst: Float = 0
      for i in out.indices {
        let row = i / outDim
        let column = i % outDim
        var magnitude: Float = 0
        for p in 0..<inDim { magnitude += abs(roundedX[row * inDim + p] * widenedW[column * inDim + p]) }
        worst = max(worst, abs(out[i] - reference[i]) / (Float(2 * inDim) * 0x1p-24 * magnitude + 1e-30))
      }
      #expect(worst <= 1, "blocked widening differs by \(worst) × the bound")
    }
  }

  @Test func theAutomaticKernelFollowsTheCPURule() {
    let intelBF16 = CPUFeatures(
      avx2: true, avx512: true, avx512BF16: true, amxBF16: false, amxEnabled: false, isAMD: false, modelName: nil)
    var amx = intelBF16
    amx.amxBF16 = true
    amx.amxEnabled = true
    var hiddenAMX = amx
    hiddenAMX.amxEnabled = false
    var zen4 = intelBF16
    zen4.isAMD = true
    var avx2Only = intelBF16
    (avx2Only.avx512, avx2Only.avx512BF16) = (false, false)
    var zen3 = avx2Only
    zen3.isAMD = true
    let big = BFloat16Kernel.automaticOneDNNRowLimit
    #expect(BFloat16Kernel.automatic.resolved(rows: big, cpu: intelBF16) == .widened)
    #expect(BFloat16Kernel.automatic.resolved(rows: big, cpu: hiddenAMX) == .widened)
    #expect(BFloat16Kernel.automatic.resolved(rows: big, cpu: avx2Only) == .widened)
    #expect(BFloat16Kernel.automatic.resolved(rows: big, cpu: zen3) == .widened)
    #expect(BFloat16Kernel.automatic.resolved(rows: big, cpu: amx) == .oneDNN)
    #expect(BFloat16Kernel.automatic.resolved(rows: big, cpu: zen4) == .oneDNN)
    #expect(BFloat16Kernel.automatic.resolved(rows: big - 1, cpu: intelBF16) == .oneDNN)
    #expect(BFloat16Kernel.widened.resolved(rows: 1, cpu: amx) == .widened)
    #expect(BFloat16Kernel.oneDNN.resolved(rows: 4096, cpu: intelBF16) == .oneDNN)
  }

  @Test(arguments: [BFloat16Kernel.oneDNN, .widened])
  func accumulateAddsIntoTheOutput(kernel: BFloat16Kernel) throws {
    let (rows, inDim, outDim) = (40, 32, 24)
    var rng = SeededRandom(seed: 9)
    let x = rng.floats(rows * inDim)
    let weight = bfloat16Bits(rng.floats(outDim * inDim))
    let start = rng.floats(rows * outDim)
    let gemm = try BFloat16GEMM()
    func run(_ out: inout [Float], accumulate: Bool) throws {
      try out.withUnsafeMutableBufferPointer { o throws(MatmulError) in
        try gemm.linear(
          o.baseAddress!, x, weight, rows: rows, inDim: inDim, outDim: outDim, accumulate: accumulate, threads: 2,
          kernel: kernel)
      }
    }
    var plain = [Float](repeating: 0, count: rows * outDim)
    var summed = start
    try run(&plain, accumulate: false)
    try run(&summed, accumulate: true)
    let expected = zip(start, plain).map { $0 + $1 }
    #expect(maxAbsDiff(summed, expected) <= 1e-5)
  }

  @Test func primitivesAreCachedPerShapeAndNamed() throws {
    let gemm = try BFloat16GEMM()
    let name = try gemm.implementationName(rows: 64, inDim: 64, outDim: 64, kernel: .oneDNN)
    #expect(name.hasPrefix("onednn:"), "\(name)")
    #expect(try gemm.implementationName(rows: 64, inDim: 64, outDim: 64, kernel: .widened).hasPrefix("sgemm:"))
    if CPUFeatures.current.avx512BF16 { #expect(name.contains("bf16") || name.contains("amx"), "\(name)") }
    let x = [Float](repeating: 1, count: 64 * 64)
    let weight = bfloat16Bits([Float](repeating: 0.5, count: 64 * 64))
    var out = [Float](repeating: 0, count: 64 * 64)
    for _ in 0..<3 {
      try out.withUnsafeMutableBufferPointer { o throws(MatmulError) in
        try gemm.linear(o.baseAddress!, x, weight, rows: 64, inDim: 64, outDim: 64, threads: 1, kernel: .oneDNN)
      }
    }
    #expect(gemm.cachedPrimitiveCount == 1)
    #expect(out.allSatisfy { $0 == 32 })
  }
}
