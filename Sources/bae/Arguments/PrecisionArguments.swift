import ArgumentParser
import TensorCore

extension Precision: ExpressibleByArgument {}

/// `--precision`, for the commands that run forward passes in f32 or bf16 (forward, extract, bench).
struct PrecisionArguments: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "Arithmetic of matrix products: f32 (default; OpenBLAS) or bf16 (weights stored in bfloat16, f32 accumulation; oneDNN).",
      valueName: "precision"))
  var precision: Precision?

  /// The context `modelArguments` asks for, in the requested precision (f32 unless given).
  func context(_ modelArguments: ModelArguments) -> ComputeContext {
    var context = modelArguments.context
    context.precision = precision ?? .float32
    return context
  }
}
