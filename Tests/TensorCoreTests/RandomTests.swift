import TensorCore
import Testing

@Suite struct RandomTests {
  /// The first outputs for seed 42 of the reference C code (xoshiro256starstar.c seeded by
  /// splitmix64.c from prng.di.unimi.it), computed with that code.
  @Test func matchesTheReferenceImplementation() {
    var random = SeededRandom(seed: 42)
    let expected: [UInt64] = [
      0x1578_0b2e_0c2e_c716, 0x6104_d986_6d11_3a7e, 0xae17_5332_39e4_99a1, 0xecb8_ad47_03b3_60a1,
    ]
    #expect((0..<4).map { _ in random.next() } == expected)
    var zero = SeededRandom(seed: 0)
    #expect(zero.next() == 11_091_344_671_253_066_420)
  }

  @Test func streamsAreIndependentAndReproducible() {
    var a = SeededRandom(seed: 7, stream: 1)
    var b = SeededRandom(seed: 7, stream: 1)
    var c = SeededRandom(seed: 7, stream: 2)
    let xs = (0..<8).map { _ in a.next() }
    #expect(xs == (0..<8).map { _ in b.next() })
    #expect(xs != (0..<8).map { _ in c.next() })
  }

  @Test func permutationHoldsEveryIndexOnce() {
    var random = SeededRandom(seed: 3)
    let p = random.permutation(1000)
    #expect(p.sorted() == Array(0..<1000))
    #expect(p != Array(0..<1000))
    var again = SeededRandom(seed: 3)
    #expect(again.permutation(1000) == p)
  }

  @Test func drawsHaveTheRightMoments() {
    var random = SeededRandom(seed: 11)
    let n = 200_000
    var sum = 0.0
    var squares = 0.0
    var uniformSum = 0.0
    var below = 0
    for _ in 0..<n {
      let z = random.normal()
      sum += z
      squares += z * z
      let u = random.uniform()
      #expect(u >= 0 && u < 1)
      uniformSum += u
      if random.integer(below: 10) < 3 { below += 1 }
    }
    // Standard errors: mean 1/√n ≈ 0.0022, variance ≈ √(2/n) ≈ 0.0032, uniform mean ≈ 0.00065.
    #expect(abs(sum / Double(n)) < 0.01)
    #expect(abs(squares / Double(n) - 1) < 0.015)
    #expect(abs(uniformSum / Double(n) - 0.5) < 0.003)
    #expect(abs(Double(below) / Double(n) - 0.3) < 0.005)
  }
}
