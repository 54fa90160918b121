// Times one training step (forward, backward, Adam) of each architecture on random rows, phase
// by phase, to see where a step's time goes. See benchmarks/train/README.md.
//
//   swift build -c release --product step-bench
//   .build/release/step-bench [B] [d] [expand] [threads]
import Autoencoders
import Foundation
import TensorCore

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let B = arguments.count > 0 ? arguments[0] : 512
let d = arguments.count > 1 ? arguments[1] : 576
let expand = arguments.count > 2 ? arguments[2] : 4
let threads = arguments.count > 3 ? arguments[3] : 2
let context = ComputeContext(threads: threads)
var random = SeededRandom(seed: 1)
let x = Matrix.normal(rows: B, columns: d, std: 1, using: &random)

func milliseconds(_ body: () -> Void) -> Double {
  var best = Double.infinity
  for _ in 0..<5 {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
  }
  return best
}

print("B = \(B), d = \(d), d' = \(expand * d), \(threads) threads, best of 5 (ms)")
let w = Matrix.normal(rows: d, columns: expand * d, std: 1, using: &random)
for t in [1, 2, 4] {
  let gemm = milliseconds { _ = Matrix.product(x, w, context: ComputeContext(threads: t)) }
  print(
    "GEMM [\(B), \(d)]·[\(d), \(expand * d)] on \(t) thread(s): \(String(format: "%.1f", gemm)) ms, \(String(format: "%.0f", 2 * Double(B * d * expand * d) / gemm / 1e6)) GFLOP/s"
  )
}
for architecture in [Architecture.bae, .relu, .topk] {
  let c = AutoencoderConfiguration(architecture: architecture, inputWidth: d, codeWidth: expand * d)
  let ae = try Autoencoder(configuration: c, seed: 0)
  let step = TrainingStep(configuration: c)
  var regularizers = RegularizerWeights()
  regularizers.entropy = 1e-7
  regularizers.covariance = 1e-7
  regularizers.l1 = 1e-7
  var gradients = ae.weights.zeros()
  var weights = ae.weights
  var optimizer = AdamOptimizer(hyperparameters: AdamHyperparameters(learningRate: 1e-3), weights: weights)
  let forward = milliseconds {
    step.forward(weights: weights, input: x, target: x, regularizers: regularizers, training: true, context: context)
  }
  let backward = milliseconds {
    step.backward(weights: weights, input: x, target: x, into: &gradients, context: context)
  }
  let adam = milliseconds {
    optimizer.update(&weights, gradients: gradients, trainable: ["W_enc", "b_enc", "W_dec", "b_dec"])
  }
  let gemm = milliseconds {
    _ = Matrix.product(x, ae.weights.encoderWeight, context: context)
  }
  let statistics = milliseconds { _ = step.statistics(target: x) }
  print(
    "\(architecture.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)) forward \(String(format: "%6.1f", forward))  backward \(String(format: "%6.1f", backward))  adam \(String(format: "%5.1f", adam))  (one [B,d]·[d,d'] GEMM \(String(format: "%5.1f", gemm)); statistics \(String(format: "%5.1f", statistics)))"
  )
}
