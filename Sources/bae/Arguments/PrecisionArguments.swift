import ArgumentParser
import TensorCore

extension Precision: ExpressibleByArgument {}
extension BFloat16Kernel: ExpressibleByArgument {}

/// `--precision`, for the commands that run forward passes in f32 or bf16 (forward, extract, bench).
struct PrecisionArguments: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "Arithmetic of matrix products: f32 (default; OpenBLAS) or bf16 (weights stored in bfloat16, f32 accumulation).",
      valueName: "precision"))
  var precision: Precision?

  @Option(
    name: .customLong("bf16-kernel"),
    help: ArgumentHelp(
      "Kernel of bf16 products: auto (default: native bf16 instructions where they outrun f32 FMAs, i.e. AMX or AMD AVX512-BF16, else OpenBLAS on operands widened to f32), onednn, or sgemm.",
      valueName: "kernel"))
  var bfloat16Kernel: BFloat16Kernel = .automatic

  /// The context `modelArguments` asks for, in the requested precision (f32 unless given).
  func context(_ modelArguments: ModelArguments) -> ComputeContext {
    var context = modelArguments.context
    context.precision = precision ?? .float32
    context.bfloat16Kernel = bfloat16Kernel
    return context
  }
}
