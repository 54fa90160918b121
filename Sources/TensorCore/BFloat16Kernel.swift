/// Which kernel computes a bf16 product (``Precision/bfloat16``). Both compute the same
/// arithmetic: operands rounded to bfloat16, exact products, f32 accumulation; they differ in
/// speed, memory traffic and the order of the f32 sums.
///
/// ``automatic`` (the default) takes native bf16 instructions only where they outrun f32 FMAs:
/// - usable AMX tiles, or an AMD CPU with AVX512-BF16 (Zen 4 and later, whose 512-bit FMAs are
///   double-pumped, so `VDPBF16PS` doubles the multiply rate: 426 against 186 GFLOP/s measured
///   on 2 threads): ``oneDNN``;
/// - Intel CPUs with AVX512-BF16 but no usable AMX (Cooper Lake, or Sapphire/Emerald Rapids
///   under a hypervisor that hides AMX), where `VDPBF16PS` retires no more multiplies per cycle
///   than the two FMA ports (oneDNN's bf16 matmul measured 77–85 GFLOP/s per core there against
///   ~150 for OpenBLAS's sgemm), and CPUs without bf16 instructions, where oneDNN converts inside
///   its kernels: ``widened``;
/// - products of fewer than ``automaticOneDNNRowLimit`` rows (token-by-token decoding): they are
///   bound by reading the weights, and oneDNN reads them in bf16, half the bytes: ``oneDNN``.
///
/// The rule depends only on the CPU's features and the product's shape, so a run is
/// deterministic for a given machine and context.
public enum BFloat16Kernel: String, Sendable, Hashable, Codable, CaseIterable {
  /// The rule above.
  case automatic = "auto"
  /// oneDNN's matmul on bf16 operands (AVX512-BF16 or AMX kernels where the CPU has them).
  case oneDNN = "onednn"
  /// The bf16 operands widened to f32 (exact) and multiplied by OpenBLAS's sgemm: weights are
  /// still stored in bf16 and widened block by block into scratch memory.
  case widened = "sgemm"

  /// Products with fewer rows than this use ``oneDNN`` under ``automatic``.
  public static let automaticOneDNNRowLimit = 32

  /// The kernel that runs a product of `rows` rows on `cpu` (``oneDNN`` or ``widened``; never
  /// ``automatic``).
  public func resolved(rows: Int, cpu: CPUFeatures = .current) -> BFloat16Kernel {
    switch self {
    case .oneDNN, .widened: return self
    case .automatic:
      if rows < Self.automaticOneDNNRowLimit { return .oneDNN }
      let amx = cpu.amxBF16 && cpu.amxEnabled
      return amx || (cpu.isAMD && cpu.avx512BF16) ? .oneDNN : .widened
    }
  }
}
