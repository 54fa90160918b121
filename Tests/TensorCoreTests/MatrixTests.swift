import TensorCore
import TestSupport
import Testing

@Suite struct MatrixTests {
  /// op(A)·op(B) with every transpose combination and several thread counts equals the naive
  /// triple loop; splits by rows (tall outputs) and by columns (short ones) are both exercised.
  @Test(arguments: [(1, 1, 1), (3, 700, 5), (200, 33, 64), (64, 96, 48), (2, 4096, 96), (512, 64, 128)], [1, 2, 3, 8])
  func productsMatchNaive(shape: (Int, Int, Int), threads: Int) {
    let (m, n, k) = shape
    var random = SeededRandom(seed: UInt64(m * 31 + n))
    let context = ComputeContext(threads: threads)
    for transposeA in [false, true] {
      for transposeB in [false, true] {
        let a = Matrix(rows: transposeA ? k : m, columns: transposeA ? m : k, values: random.floats(m * k))
        let b = Matrix(rows: transposeB ? n : k, columns: transposeB ? k : n, values: random.floats(k * n))
        let c = Matrix.product(a, transposeA: transposeA, b, transposeB: transposeB, context: context)
        let plainA = transposeA ? a.transposed() : a
        let plainB = transposeB ? b.transposed() : b
        let expected = naiveMatmul(plainA.values, plainB.values, m: m, n: n, k: k)
        #expect(c.shape == [m, n])
        #expect(
          maxAbsDiff(c.values, expected) <= 1e-4,
          "[\(m),\(n),\(k)] tA \(transposeA) tB \(transposeB) threads \(threads)")
      }
    }
  }

  /// A product is bit-identical from run to run for one thread count; other thread counts may
  /// differ in the last bits (OpenBLAS picks other edge kernels for other block shapes), which is
  /// why feature sets record their compute context.
  @Test func resultsAreDeterministicPerThreadCount() {
    var random = SeededRandom(seed: 5)
    let a = Matrix(rows: 300, columns: 96, values: random.floats(300 * 96))
    let b = Matrix(rows: 160, columns: 96, values: random.floats(160 * 96))
    let one = Matrix.product(a, b, transposeB: true, context: .serial)
    for threads in [2, 3, 4, 7] {
      let context = ComputeContext(threads: threads)
      let first = Matrix.product(a, b, transposeB: true, context: context)
      #expect(Matrix.product(a, b, transposeB: true, context: context) == first)
      #expect(maxAbsDiff(first.values, one.values) <= 1e-5)
    }
  }

  @Test func accumulatesWithBeta() {
    let a = Matrix(rows: 2, columns: 2, values: [1, 2, 3, 4])
    let identity = Matrix(rows: 2, columns: 2, values: [1, 0, 0, 1])
    var c = Matrix(rows: 2, columns: 2, repeating: 1)
    Matrix.multiply(a, identity, into: &c, alpha: 2, beta: 0.5, context: .serial)
    #expect(c.values == [2.5, 4.5, 6.5, 8.5])
    var empty = Matrix(rows: 2, columns: 2, repeating: 3)
    Matrix.multiply(Matrix(rows: 2, columns: 0), Matrix(rows: 0, columns: 2), into: &empty, beta: 0, context: .serial)
    #expect(empty.values == [0, 0, 0, 0])
  }

  @Test func shapesViewsAndGathers() {
    var m = Matrix(rows: 3, columns: 2, values: [0, 1, 2, 3, 4, 5])
    #expect(m[2, 1] == 5)
    #expect(Array(m.row(1)) == [2, 3])
    #expect(m.rows(1..<3).values == [2, 3, 4, 5])
    #expect(m.gathering(rows: [2, 0]).values == [4, 5, 0, 1])
    #expect(m.transposed().values == [0, 2, 4, 1, 3, 5])
    m[0, 0] = 9
    m.withMutableView { view in view.rows(1..<2)[0, 1] = -1 }
    #expect(m.values == [9, 1, 2, -1, 4, 5])
    m.withView { view in #expect(view.rows(2..<3)[0, 0] == 4) }
    m.reshape(rows: 2, columns: 3)
    #expect(m.row(1) == [-1, 4, 5])
  }

  @Test func contextValidatesThreadCounts() throws {
    try ComputeContext(threads: 1).validate()
    #expect(throws: ComputeContextError.self) {
      try ComputeContext(threads: ComputeContext.maximumThreads + 1).validate()
    }
    #expect(ComputeContext(threads: 0).threads == 1)
  }
}
