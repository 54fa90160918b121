import TensorCore

extension LlamaModel {
  /// `out [rows, outDim] = x [rows, inDim] · Wᵀ` in the weight's precision: OpenBLAS for f32,
  /// oneDNN bf16 (inputs rounded to bfloat16, f32 accumulation) for bf16, whose kernels
  /// `bfloat16` supplies (the pass's state owns them).
  static func project(
    _ output: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>, _ weight: WeightMatrix, rows: Int,
    inDim: Int, outDim: Int, workers: Int, bfloat16: () throws(MatmulError) -> BFloat16GEMM
  ) throws(MatmulError) {
    switch weight.storage {
    case .float32(let values):
      values.withUnsafeBufferPointer {
        linear(output, input, $0.baseAddress!, rows: rows, inDim: inDim, outDim: outDim, threads: workers)
      }
    case .bfloat16(let bits):
      let gemm = try bfloat16()
      try bits.withUnsafeBufferPointer { w throws(MatmulError) in
        try gemm.linear(output, input, w.baseAddress!, rows: rows, inDim: inDim, outDim: outDim, threads: workers)
      }
    }
  }
}
