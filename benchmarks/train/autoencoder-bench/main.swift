// Times the covariance penalty of the BAE loss, forward + backward, dense (two OpenBLAS GEMMs)
// against bit-packed popcounts, on random 0/1 codes. See benchmarks/train/README.md.
//
//   swift build -c release --product autoencoder-bench
//   .build/release/autoencoder-bench [B] [m] [threads] [density]
import Autoencoders
import Foundation
import TensorCore

let arguments = CommandLine.arguments.dropFirst().map { Double($0) }
let B = Int(arguments.first.flatMap { $0 } ?? 512)
let m = Int(arguments.dropFirst().first.flatMap { $0 } ?? 2304)
let threads = Int(arguments.dropFirst(2).first.flatMap { $0 } ?? 2)
let density = arguments.dropFirst(3).first.flatMap { $0 } ?? 0.5
let repeats = 7

var random = SeededRandom(seed: 2025)
let codes: [Float] = (0..<(B * m)).map { _ in random.uniform() < density ? 1 : 0 }

/// Best wall time of `repeats` runs, in milliseconds.
func best(_ body: () -> Void) -> Double {
  var times: [Double] = []
  for _ in 0..<repeats {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
  }
  return times.min()!
}

var covariance = [Float](repeating: 0, count: m * m)
var centered = [Float](repeating: 0, count: B * m)
var denseGradient = [Float](repeating: 0, count: B * m)
var densePenalty = 0.0
let denseForward = best {
  densePenalty = covariancePenalty(&covariance, centered: &centered, codes: codes, rows: B, columns: m)
}
// Entries of C below the smallest nonzero binary covariance are rounding noise: count them as 0.
let zeroTolerance = Float(0.5 / (Double(B) * Double(B) * Double(B - 1)))
let denseBackward =
  best {
    covariancePenaltyBackward(
      &denseGradient, signs: &covariance, covariance: covariance, centered: centered, rows: B, columns: m,
      zeroTolerance: zeroTolerance)
    // The backward overwrote C with S: recompute it, untimed, for the next repetition.
    _ = covariancePenalty(&covariance, centered: &centered, codes: codes, rows: B, columns: m)
  } - best { _ = covariancePenalty(&covariance, centered: &centered, codes: codes, rows: B, columns: m) }

let (W, V) = (bitWordCount(B), bitWordCount(m))
var columnBits = [UInt64](repeating: 0, count: m * W)
var rowBits = [UInt64](repeating: 0, count: B * V)
var cooccurrence = [Int32](repeating: 0, count: m * m)
var signBits = [UInt64](repeating: 0, count: V * 2 * m)
var counts = [Int32](repeating: 0, count: B * 2 * m)
var fastGradient = [Float](repeating: 0, count: B * m)
var fastPenalty = 0.0
let pack = best {
  packCodeColumns(&columnBits, codes: codes, rows: B, columns: m)
  packCodeRows(&rowBits, codes: codes, rows: B, columns: m)
}
let fastForward = best {
  codeCooccurrence(&cooccurrence, columnBits: columnBits, rows: B, columns: m, workers: threads)
  fastPenalty = binaryCovariancePenalty(nil, cooccurrence: cooccurrence, rows: B, columns: m)
}
let fastBackward = best {
  binaryCovariancePenaltyBackward(
    &fastGradient, signBits: &signBits, counts: &counts, cooccurrence: cooccurrence, rowBits: rowBits, rows: B,
    columns: m, workers: threads)
}

var gradientDifference: Float = 0
var gradientScale: Float = 0
for i in 0..<(B * m) {
  gradientDifference = max(gradientDifference, abs(denseGradient[i] - fastGradient[i]))
  gradientScale = max(gradientScale, abs(denseGradient[i]))
}

func format(_ x: Double) -> String { String(format: "%8.2f ms", x) }
print("covariance penalty, B = \(B), m = \(m), density \(density), \(threads) threads, best of \(repeats)")
print(
  "dense    forward \(format(denseForward))  backward \(format(denseBackward))  total \(format(denseForward + denseBackward))"
)
print(
  "popcount pack    \(format(pack))  forward  \(format(fastForward))  backward \(format(fastBackward))  total \(format(pack + fastForward + fastBackward))"
)
print(String(format: "speed-up %.1f×", (denseForward + denseBackward) / (pack + fastForward + fastBackward)))
print(
  String(
    format: "check: D dense %.6f, popcount %.6f; max |∂D/∂h difference| / max |∂D/∂h| = %.2e", densePenalty,
    fastPenalty, Double(gradientDifference / gradientScale)))
