/// The one seeded random generator of `bae`: xoshiro256** (Blackman & Vigna, https://prng.di.unimi.it/),
/// seeded through SplitMix64.
///
/// Every seeded draw in the project (weight initialisation, shuffling, document sampling,
/// synthetic data) goes through this type, so a seed means the same stream everywhere and on every
/// platform. Algorithms that the standard library does not pin down (shuffling, normal draws)
/// are written here rather than taken from `Array.shuffle(using:)`.
public struct SeededRandom: RandomNumberGenerator, Sendable, Hashable {
  private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

  /// A generator whose stream depends only on `seed`.
  public init(seed: UInt64) {
    var z = seed
    s0 = SplitMix64.next(&z)
    s1 = SplitMix64.next(&z)
    s2 = SplitMix64.next(&z)
    s3 = SplitMix64.next(&z)
  }

  /// A generator for stream `stream` of `seed`: independent streams for parallel or nested uses
  /// (one per layer, per epoch, …) without consuming the parent's draws.
  public init(seed: UInt64, stream: UInt64) {
    self.init(seed: SplitMix64.mix(seed ^ SplitMix64.mix(stream &+ 0x5851_F42D_4C95_7F2D)))
  }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = s3 << 45 | s3 >> 19
    return result
  }

  /// Uniform in [0, 1) with 53 random bits.
  public mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

  /// Uniform in [low, high).
  public mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * uniform() }

  /// Uniform integer in `0..<bound` (no modulo bias; `bound` > 0).
  public mutating func integer(below bound: Int) -> Int {
    precondition(bound > 0, "bound must be positive")
    return Int(next(upperBound: UInt64(bound)))
  }

  /// Standard normal draw (Box–Muller; one draw per call, the sine half is discarded so the stream
  /// position does not depend on call history).
  public mutating func normal() -> Double {
    var u = uniform()
    while u <= 0 { u = uniform() }
    let v = uniform()
    return (-2 * _log(u)).squareRoot() * _cos(2 * Double.pi * v)
  }

  /// `true` with probability `p`.
  public mutating func bernoulli(_ p: Double) -> Bool { uniform() < p }

  /// A uniformly random permutation of `0..<count` (Fisher–Yates, from the last index down).
  public mutating func permutation(_ count: Int) -> [Int] {
    var order = Array(0..<count)
    shuffle(&order)
    return order
  }

  /// Shuffles `array` in place (Fisher–Yates, from the last index down).
  public mutating func shuffle<T>(_ array: inout [T]) {
    guard array.count > 1 else { return }
    for i in stride(from: array.count - 1, to: 0, by: -1) {
      let j = integer(below: i + 1)
      if i != j { array.swapAt(i, j) }
    }
  }
}

/// SplitMix64 (Steele, Lea & Flood 2014): seeds ``SeededRandom`` and hashes integers
/// (document sampling) with good avalanche.
public enum SplitMix64 {
  /// Advances `state` by the golden-ratio increment and returns the mixed value.
  @inlinable
  public static func next(_ state: inout UInt64) -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    return mix(state)
  }

  /// The SplitMix64 finaliser: a bijective 64-bit mix.
  @inlinable
  public static func mix(_ value: UInt64) -> UInt64 {
    var z = value
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

#if canImport(Glibc)
  import Glibc
  @usableFromInline func _log(_ x: Double) -> Double { Glibc.log(x) }
  @usableFromInline func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#else
  import Foundation
  @usableFromInline func _log(_ x: Double) -> Double { Foundation.log(x) }
  @usableFromInline func _cos(_ x: Double) -> Double { Foundation.cos(x) }
#endif
