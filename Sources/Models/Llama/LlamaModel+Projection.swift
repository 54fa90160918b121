import TensorCore

extension LlamaModel {
  /// `out [rows, outDim] = x [rows, inDim] · Wᵀ` in the weight's precision: OpenBLAS for f32,
  /// bf16 (inputs rounded to bfloat16, f32 accumulation) by `kernel` for bf16, whose scratch and
  /// primitives `bfloat16` supplies (the pass's state owns them).
  static func project(
    _ output: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>, _ weight: WeightMatrix, rows: Int,
    inDim: Int, outDim: Int, workers: Int, kernel: BFloat16Kernel,
    bfloat16: () throws(MatmulError) -> BFloat16GEMM
  ) throws(MatmulError) {
    switch weight.storage {
    case .float32(let values):
      values.withUnsafeBufferPointer {
        linear(output, input, $0.baseAddress!, rows: rows, inDim: inDim, outDim: outDim, threads: workers)
      }
    case .bfloat16(let bits):
      let gemm = try bfloat16()
      try bits.withUnsafeBufferPointer { w throws(MatmulError) in
        try gemm.linear(
          output, input, w.baseAddress!, rows: rows, inDim: inDim, outDim: outDim, threads: workers, kernel: kernel)
      }
    }
  }
}
