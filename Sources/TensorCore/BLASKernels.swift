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

  /// `Haswell` when OpenBLAS fell back to pre-AVX kernels on a CPU that runs AVX2 and FMA, else
  /// `nil`. (`Haswell`, not `SkylakeX`: some older OpenBLAS builds compute wrong results with
  /// their AVX-512 kernels on CPUs they do not know; the AVX2 ones are safe.)
  public static var recommendedCoreType: String? {
    fallbackCores.contains(coreName) && bae_cpu_has_avx2_fma() != 0 ? "Haswell" : nil
  }
}
