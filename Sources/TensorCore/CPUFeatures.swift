import CKernels
import Foundation

/// The instruction sets of this CPU that decide which matrix-product kernels run, detected at
/// run time (CPUID and the OS's saved-state mask), plus the CPU's model name.
///
/// ``BFloat16Kernel/resolved(rows:cpu:)`` decides from these which kernel runs bf16 products;
/// ``BFloat16GEMM/implementationName(rows:inDim:outDim:kernel:)`` names it.
public struct CPUFeatures: Sendable, Equatable, CustomStringConvertible {
  /// AVX2 with FMA.
  public var avx2: Bool
  /// The AVX-512 subsets of Skylake-X (F, BW, DQ, VL, CD), saved by the OS.
  public var avx512: Bool
  /// AVX512-BF16 (`VDPBF16PS`: bf16 pairs multiplied and accumulated in f32).
  public var avx512BF16: Bool
  /// The CPU reports AMX tiles with bf16 (`TDPBF16PS`).
  public var amxBF16: Bool
  /// The OS enables the AMX tile state (a hypervisor may hide AMX even when the CPU has it).
  public var amxEnabled: Bool
  /// CPUID names AMD as the vendor (its AVX512-BF16 doubles the f32 multiply rate; see
  /// ``BFloat16Kernel``).
  public var isAMD: Bool
  /// `model name` from `/proc/cpuinfo`, or `nil` where that file does not exist.
  public var modelName: String?

  /// Features as given (tests describe other CPUs with it; ``current`` is this one).
  public init(
    avx2: Bool, avx512: Bool, avx512BF16: Bool, amxBF16: Bool, amxEnabled: Bool, isAMD: Bool, modelName: String?
  ) {
    self.avx2 = avx2
    self.avx512 = avx512
    self.avx512BF16 = avx512BF16
    self.amxBF16 = amxBF16
    self.amxEnabled = amxEnabled
    self.isAMD = isAMD
    self.modelName = modelName
  }

  /// The features of the CPU this process runs on (read once; they cannot change while it runs).
  public static let current = CPUFeatures(
    avx2: bae_cpu_has_avx2_fma() != 0, avx512: bae_cpu_has_avx512_skylakex() != 0,
    avx512BF16: bae_cpu_has_avx512_bf16() != 0, amxBF16: bae_cpu_has_amx_bf16() != 0,
    amxEnabled: bae_os_enables_amx() != 0, isAMD: bae_cpu_vendor_is_amd() != 0,
    modelName: Self.readModelName())

  /// The detected features as short names, e.g. `avx2 avx512 avx512_bf16`.
  public var names: [String] {
    var names: [String] = []
    if avx2 { names.append("avx2") }
    if avx512 { names.append("avx512") }
    if avx512BF16 { names.append("avx512_bf16") }
    if amxBF16 { names.append(amxEnabled ? "amx_bf16" : "amx_bf16 (disabled by the OS)") }
    return names
  }

  /// Whether products in `precision` run on native instructions (`bf16`: AVX512-BF16 or usable AMX).
  public func runsNatively(_ precision: Precision) -> Bool {
    switch precision {
    case .float32: true
    case .bfloat16: avx512BF16 || (amxBF16 && amxEnabled)
    }
  }

  public var description: String {
    "\(modelName ?? "unknown CPU") [\(names.isEmpty ? "baseline" : names.joined(separator: " "))]"
  }

  static func readModelName() -> String? {
    guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix("model name") {
      guard let colon = line.firstIndex(of: ":") else { continue }
      return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    return nil
  }
}
