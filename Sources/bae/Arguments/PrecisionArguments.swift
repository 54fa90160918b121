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
      "Kernel of bf16 products (with --precision bf16): auto (default: native bf16 instructions where they outrun f32 FMAs, i.e. AMX or AMD AVX512-BF16, else OpenBLAS on operands widened to f32), onednn, or sgemm.",
      valueName: "kernel"))
  var bfloat16Kernel: BFloat16Kernel = .automatic

  /// The context `modelArguments` asks for, in the requested precision (f32 unless given).
  func context(_ modelArguments: ModelArguments) -> ComputeContext {
    var context = modelArguments.context
    context.precision = precision ?? .float32
    context.bfloat16Kernel = kernel(for: context.precision)
    return context
  }

  /// The bf16 kernel of a pass in `precision`: the flag's in bf16, `auto` in f32 (where no bf16
  /// product runs, so a recorded context does not differ by a setting that did nothing).
  func kernel(for precision: Precision) -> BFloat16Kernel {
    precision == .bfloat16 ? bfloat16Kernel : .automatic
  }
}
