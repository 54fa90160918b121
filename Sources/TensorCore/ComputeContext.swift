import Foundation

/// Arithmetic used for matrix products.
///
/// Norms, softmax, RoPE, residual adds and attention score products always run in f32; the
/// precision selects how weight matrices are stored and multiplied.
public enum Precision: String, Sendable, Hashable, Codable, CaseIterable {
  /// IEEE single precision everywhere (exact parity with transformers in f32), through OpenBLAS.
  case float32 = "f32"
  /// Weight matrices stored once in bfloat16; activations rounded to bfloat16 at the input of
  /// each product; products accumulate in f32 and write f32 (oneDNN matmul, see
  /// ``BFloat16GEMM``).
  case bfloat16 = "bf16"
}

/// How much of the machine a computation may use, passed explicitly to every numeric routine
/// (forward passes, training steps, statistics).
///
/// There is no process-wide setting: two computations in one process may use different contexts
/// at the same time. Matrix products split their work into `threads` parts themselves and call
/// single-threaded OpenBLAS in each part, so the BLAS library's own (global) thread count is
/// never changed after start-up.
///
/// Results are deterministic for a given context: a float result may depend on `threads`
/// (work is split by rows), so a resumed job records and reuses its context.
public struct ComputeContext: Sendable, Hashable, Codable, CustomStringConvertible {
  /// Worker threads for matrix products and row-parallel kernels (at least 1).
  public var threads: Int
  /// Arithmetic of matrix products.
  public var precision: Precision
  /// The kernel of bf16 products (ignored in f32).
  public var bfloat16Kernel: BFloat16Kernel

  /// A context using `threads` workers (default: every core this process may use).
  public init(
    threads: Int = ComputeContext.availableCores, precision: Precision = .float32,
    bfloat16Kernel: BFloat16Kernel = .automatic
  ) {
    self.threads = max(1, threads)
    self.precision = precision
    self.bfloat16Kernel = bfloat16Kernel
  }

  enum CodingKeys: String, CodingKey {
    case threads, precision
    case bfloat16Kernel = "bf16_kernel"
  }

  /// Decodes a context; one recorded before the bf16 kernel choice existed reads as `automatic`.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    threads = try container.decode(Int.self, forKey: .threads)
    precision = try container.decode(Precision.self, forKey: .precision)
    bfloat16Kernel = try container.decodeIfPresent(BFloat16Kernel.self, forKey: .bfloat16Kernel) ?? .automatic
  }

  /// One thread: reference results and small tests.
  public static let serial = ComputeContext(threads: 1)

  /// Cores this process may use.
  public static var availableCores: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

  /// The largest thread count accepted: beyond a few threads per core, threads only cost memory.
  public static var maximumThreads: Int { max(64, 8 * availableCores) }

  /// Checks the thread count is within `1…maximumThreads`.
  ///
  /// - Throws: ``ComputeContextError/threadCount(requested:maximum:)``.
  public func validate() throws(ComputeContextError) {
    guard (1...Self.maximumThreads).contains(threads) else {
      throw .threadCount(requested: threads, maximum: Self.maximumThreads)
    }
  }

  public var description: String {
    let kernel = precision == .bfloat16 && bfloat16Kernel != .automatic ? " (\(bfloat16Kernel.rawValue))" : ""
    return "\(threads) thread\(threads == 1 ? "" : "s"), \(precision.rawValue)\(kernel)"
  }

  /// Runs `body` over `0..<count` split into at most `threads` contiguous chunks, concurrently.
  ///
  /// - Parameter body: receives the worker index (`0..<threads`) and its item range; must be safe
  ///   to run concurrently on disjoint ranges.
  @inlinable
  public func parallelFor(_ count: Int, _ body: (Int, Range<Int>) -> Void) {
    parallelChunks(count, workers: threads, body)
  }
}

/// Why a ``ComputeContext`` cannot be used.
public enum ComputeContextError: Error, CustomStringConvertible, Equatable {
  /// The thread count is below 1 or above the maximum.
  case threadCount(requested: Int, maximum: Int)

  public var description: String {
    switch self {
    case .threadCount(let requested, let maximum):
      "thread count \(requested) is outside 1…\(maximum) (this machine has \(ComputeContext.availableCores) cores)"
    }
  }
}
