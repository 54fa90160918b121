import CBLAS
import CKernels

/// Which OpenBLAS kernels this process runs, and whether they fit the CPU.
///
/// OpenBLAS picks its kernels once, when the library loads, from `OPENBLAS_CORETYPE` or from the
/// CPU model. Debian's OpenBLAS 0.3.21 does not know recent Intel models (Sapphire and Emerald
/// Rapids report model 143/207) and falls back to `Prescott` (SSE3), which runs matrix products
/// 3–5× slower than the AVX2 kernels the CPU could run. ``recommendedCoreType`` says when that
/// happened, so a program (the `bae` tool) can restart itself with `OPENBLAS_CORETYPE` set
/// before the library loads.
public enum BLASKernels {
  /// The variable OpenBLAS reads its kernel choice from.
  public static let environmentVariable = "OPENBLAS_CORETYPE"

  /// The kernel family OpenBLAS chose (`Haswell`, `SkylakeX`, `Prescott`, …).
  public static var coreName: String { String(cString: openblas_get_corename()) }

  /// Kernel families older than the CPUs this project targets: what OpenBLAS falls back to on a
  /// CPU model it does not know.
  static let fallbackCores: Set<String> = [
    "Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom", "Katmai", "Northwood",
  ]

  /// The kernels to restart with when OpenBLAS fell back to pre-AVX kernels on a CPU it does
  /// not know, else `nil`: `SkylakeX` (AVX-512) where the CPU runs the AVX-512 subsets those
  /// kernels use, `Haswell` (AVX2 + FMA) otherwise. On an Emerald Rapids part that Debian's
  /// OpenBLAS 0.3.21 does not know, SkylakeX ran the default model's forward pass 1.6× faster
  /// than Haswell (995 against 616 tok/s, 8×128 tokens, 2 threads), and the transformers parity
  /// tests pass with either.
  public static var recommendedCoreType: String? {
    guard fallbackCores.contains(coreName) else { return nil }
    if bae_cpu_has_avx512_skylakex() != 0 { return "SkylakeX" }
    return bae_cpu_has_avx2_fma() != 0 ? "Haswell" : nil
  }
}
