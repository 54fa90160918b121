// gemm-bench: the machine's matrix-product ceiling per precision, measured with the kernels bae's
// forward pass calls: `linear` (OpenBLAS sgemm, f32) and `BFloat16GEMM.linear` with each bf16
// kernel (oneDNN; OpenBLAS sgemm on operands widened to f32), all split over `threads` workers
// the same way. Prints one JSON line per (precision, kernel, shape): the best of `iterations`
// timed runs; `auto` says which bf16 kernel `--bf16-kernel auto` picks for the shape here.
//
// Usage: gemm-bench [THREADS] [ITERATIONS]
import Foundation
import TensorCore

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let threads = arguments.first ?? ComputeContext.availableCores
let iterations = arguments.dropFirst().first ?? 5
// (rows, inDim, outDim): the default model's MLP up/down and attention projections at 512 and
// 4096 tokens, and a large square product.
let shapes = [(512, 576, 1536), (512, 1536, 576), (512, 576, 576), (4096, 576, 1536), (2048, 2048, 2048)]
let cpu = CPUFeatures.current
if let core = BLASKernels.recommendedCoreType {
  // The bae tool restarts itself in this case; a benchmark says so instead of measuring the fallback.
  FileHandle.standardError.write(
    Data("gemm-bench: OpenBLAS fell back to \(BLASKernels.coreName) kernels; run with OPENBLAS_CORETYPE=\(core)\n".utf8)
  )
  exit(2)
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
  try body()  // warm-up (creates oneDNN primitives, touches memory)
  var best = Double.infinity
  for _ in 0..<iterations {
    let start = Date()
    try body()
    best = min(best, Date().timeIntervalSince(start))
  }
  return best
}

do {
  let bf16 = try BFloat16GEMM()
  for (rows, inDim, outDim) in shapes {
    var random = SeededRandom(seed: 1)
    let x = (0..<(rows * inDim)).map { _ in Float(random.uniform(-1, 1)) }
    let w = (0..<(outDim * inDim)).map { _ in Float(random.uniform(-1, 1)) }
    let wBits = bfloat16Bits(w)
    let out = Buffer<Float>(count: rows * outDim, repeating: 0)
    let flop = 2 * Double(rows) * Double(inDim) * Double(outDim)
    let f32Time = seconds {
      linear(out.pointer, x, w, rows: rows, inDim: inDim, outDim: outDim, threads: threads)
    }
    var results = [("f32", f32Time, "openblas:\(BLASKernels.coreName)", false)]
    let automatic = BFloat16Kernel.automatic.resolved(rows: rows)
    for kernel in [BFloat16Kernel.oneDNN, .widened] {
      let time = try seconds {
        try bf16.linear(
          out.pointer, x, wBits, rows: rows, inDim: inDim, outDim: outDim, threads: threads, kernel: kernel)
      }
      let name = try bf16.implementationName(rows: rows / threads, inDim: inDim, outDim: outDim, kernel: kernel)
      results.append(("bf16", time, name, kernel == automatic))
    }
    for (precision, time, name, chosen) in results {
      print(
        "{\"precision\":\"\(precision)\",\"m\":\(rows),\"k\":\(inDim),\"n\":\(outDim),\"threads\":\(threads),"
          + "\"seconds\":\(String(format: "%.5f", time)),\"gflops\":\(String(format: "%.1f", flop / time / 1e9)),"
          + "\"kernel\":\"\(name)\",\"auto\":\(precision == "f32" || chosen),"
          + "\"cpu\":\"\(cpu.modelName ?? "unknown")\",\"cpu_features\":\"\(cpu.names.joined(separator: " "))\"}"
      )
    }
  }
} catch {
  FileHandle.standardError.write(Data("gemm-bench: \(error)\n".utf8))
  exit(1)
}
