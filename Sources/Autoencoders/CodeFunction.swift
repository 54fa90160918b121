import TensorCore

// Legend: B = batch rows, m = code width; pre-activations z and codes h are row-major [B, m].

/// What distinguishes one architecture from another: the function from encoder pre-activations
/// to codes, its backward rule, and the regularisers computed on the codes. The extension point
/// for new architectures (one type, one line in ``Architecture/codeFunction``).
public protocol CodeFunction: Sendable {
  /// `codes = f(pre)`; may record in `scratch` what ``backward(_:codeGradient:pre:rows:columns:configuration:scratch:workers:)`` needs.
  ///
  /// - Parameters:
  ///   - codes: output `[B, m]`.
  ///   - pre: `z = x·W_enc + b_enc`, `[B, m]`.
  ///   - thresholds: per-code thresholds `[m]` (JumpReLU), else `nil`.
  ///   - workers: concurrent chunks of rows the function may use (results must not depend on it).
  func forward(
    _ codes: UnsafeMutablePointer<Float>, pre: UnsafePointer<Float>, rows: Int, columns: Int,
    configuration: AutoencoderConfiguration, thresholds: UnsafePointer<Float>?, scratch: CodeScratch, workers: Int)

  /// Adds the regularisers' weighted gradients to `codeGradient` (when given) and returns their
  /// unweighted values.
  ///
  /// - Parameters:
  ///   - codeGradient: `∂L/∂h`, `[B, m]`, added to; `nil` to only measure.
  ///   - codes: `h`, `[B, m]`.
  ///   - weights: the active weight of each regulariser this step (0 = inactive).
  func regularize(
    codeGradient: UnsafeMutablePointer<Float>?, codes: UnsafePointer<Float>, rows: Int, columns: Int,
    weights: RegularizerWeights, scratch: CodeScratch, context: ComputeContext
  ) -> RegularizerValues

  /// `∂L/∂z` from `∂L/∂h` (may alias), over `workers` concurrent chunks of rows.
  func backward(
    _ preGradient: UnsafeMutablePointer<Float>, codeGradient: UnsafePointer<Float>, pre: UnsafePointer<Float>,
    rows: Int, columns: Int, configuration: AutoencoderConfiguration, scratch: CodeScratch, workers: Int)

  /// Whether ``forward(_:pre:rows:columns:configuration:thresholds:scratch:workers:)`` leaves a 0/1 keep
  /// mask in `scratch.mask` and ``backward(_:codeGradient:pre:rows:columns:configuration:scratch:workers:)``
  /// is `∂z = mask ⊙ ∂h`: then a training step may multiply over the kept codes only.
  var masksGradient: Bool { get }
}

extension CodeFunction {
  public var masksGradient: Bool { false }
}

/// Loss weights of the regularisers for one step (after warm-up rules).
public struct RegularizerWeights: Sendable, Equatable {
  /// BAE entropy weight `w_e` (0 before its start epoch).
  public var entropy: Float = 0
  /// BAE entropy threshold: below it the term and its gradient are 0 (the reference's rule).
  public var entropyThreshold: Double = 0
  /// BAE covariance weight `w_c`.
  public var covariance: Float = 0
  /// L1 weight (0 before its start epoch).
  public var l1: Float = 0
  public init() {}
}

/// Unweighted regulariser values of one batch (`nil` where the architecture has none).
public struct RegularizerValues: Sendable, Equatable {
  /// `Σ_j H_b(p_j)` in bits, without the threshold rule.
  public var entropy: Double?
  /// `Σ_{j≠k} |Cov(h)_jk|`.
  public var covariance: Double?
  /// `Σ |h|`.
  public var l1: Double?
  public init(entropy: Double? = nil, covariance: Double? = nil, l1: Double? = nil) {
    self.entropy = entropy
    self.covariance = covariance
    self.l1 = l1
  }
}

/// Reusable work buffers of a code function, grown on demand (so steady-state steps allocate
/// nothing).
public final class CodeScratch {
  /// `[B, m]` keep mask of the sparse codes.
  let mask = Buffer<UInt8>(count: 0, repeating: 0)
  /// `[m]` firing rates.
  let columnMeans = Buffer<Float>(count: 0, repeating: 0)
  /// Bit-packed codes by column `[⌈B/64⌉, m]` and by row `[⌈m/64⌉, B]`.
  let columnBits = Buffer<UInt64>(count: 0, repeating: 0)
  let rowBits = Buffer<UInt64>(count: 0, repeating: 0)
  /// Sign bitsets of the covariance `[⌈m/64⌉, 2m]` and their row counts `[B, 2m]`.
  let signBits = Buffer<UInt64>(count: 0, repeating: 0)
  let signCounts = Buffer<Int32>(count: 0, repeating: 0)
  /// Co-occurrence counts `[m, m]`.
  let cooccurrence = Buffer<Int32>(count: 0, repeating: 0)
  /// The codes and covariance gradient of the batch's varying codes only, `[B, a]` each.
  let activeCodes = Buffer<Float>(count: 0, repeating: 0)
  let activeGradient = Buffer<Float>(count: 0, repeating: 0)

  public init() {}

  func reserve(rows: Int, columns: Int, binary: Bool) {
    mask.grow(to: rows * columns, repeating: 0)
    columnMeans.grow(to: columns, repeating: 0)
    guard binary else { return }
    columnBits.grow(to: bitWordCount(rows) * columns, repeating: 0)
    rowBits.grow(to: bitWordCount(columns) * rows, repeating: 0)
    signBits.grow(to: bitWordCount(columns) * 2 * columns, repeating: 0)
    signCounts.grow(to: rows * 2 * columns, repeating: 0)
    cooccurrence.grow(to: columns * columns, repeating: 0)
    activeCodes.grow(to: rows * columns, repeating: 0)
    activeGradient.grow(to: rows * columns, repeating: 0)
  }
}

/// BAE codes: `h = 1[z > 0]` (or the square wave), gradients through the configured estimator;
/// minibatch entropy and the covariance penalty (bit-packed popcounts) as regularisers.
public struct BinaryCodes: CodeFunction {
  public init() {}

  public func forward(
    _ codes: UnsafeMutablePointer<Float>, pre: UnsafePointer<Float>, rows: Int, columns: Int,
    configuration: AutoencoderConfiguration, thresholds: UnsafePointer<Float>?, scratch: CodeScratch, workers: Int
  ) {
    parallelChunks(rows, workers: workers) { _, range in
      let offset = range.lowerBound * columns
      binarizeForward(codes + offset, pre + offset, count: range.count * columns, estimator: configuration.estimator)
    }
  }

  public func regularize(
    codeGradient: UnsafeMutablePointer<Float>?, codes: UnsafePointer<Float>, rows: Int, columns: Int,
    weights: RegularizerWeights, scratch: CodeScratch, context: ComputeContext
  ) -> RegularizerValues {
    scratch.reserve(rows: rows, columns: columns, binary: true)
    let entropy = codeEntropy(scratch.columnMeans.pointer, codes: codes, rows: rows, columns: columns)
    if let codeGradient, weights.entropy != 0 {
      codeEntropyBackward(
        codeGradient, columnMeans: scratch.columnMeans.pointer, rows: rows, columns: columns, entropy: entropy,
        threshold: weights.entropyThreshold, weight: weights.entropy, accumulate: true)
    }
    guard rows >= 2 else { return RegularizerValues(entropy: entropy) }
    // A code that is the same on every row of the batch has zero covariance with every code, so
    // its pairs add nothing to the penalty and their signs are 0: the penalty and its gradient
    // are computed on the varying codes only (exactly the same numbers; the cost falls from m²
    // to a² when entropy has switched most codes off).
    let means = scratch.columnMeans.pointer
    let active = (0..<columns).filter { means[$0] > 0 && means[$0] < 1 }
    let a = active.count
    guard a >= 2 else { return RegularizerValues(entropy: entropy, covariance: 0) }
    var source = codes
    let workers = context.threads
    if a < columns {
      let compact = scratch.activeCodes.pointer
      active.withUnsafeBufferPointer { active in
        parallelChunks(rows, workers: workers) { _, range in
          for i in range {
            let from = codes + i * columns
            let to = compact + i * a
            for (c, j) in active.enumerated() { to[c] = from[j] }
          }
        }
      }
      source = UnsafePointer(compact)
    }
    packCodeColumns(scratch.columnBits.pointer, codes: source, rows: rows, columns: a, workers: workers)
    codeCooccurrence(
      scratch.cooccurrence.pointer, columnBits: scratch.columnBits.pointer, rows: rows, columns: a,
      workers: workers)
    guard let codeGradient, weights.covariance != 0 else {
      let covariance = binaryCovariancePenalty(
        nil, cooccurrence: scratch.cooccurrence.pointer, rows: rows, columns: a)
      return RegularizerValues(entropy: entropy, covariance: covariance)
    }
    // Training: the gradient's pass over the covariance numerators also sums the penalty.
    packCodeRows(scratch.rowBits.pointer, codes: source, rows: rows, columns: a, workers: workers)
    let full = a == columns
    let covariance = binaryCovariancePenaltyBackward(
      full ? codeGradient : scratch.activeGradient.pointer, signBits: scratch.signBits.pointer,
      counts: scratch.signCounts.pointer, cooccurrence: scratch.cooccurrence.pointer,
      rowBits: scratch.rowBits.pointer, rows: rows, columns: a, weight: weights.covariance, accumulate: full,
      workers: workers)
    if !full {
      let compact = scratch.activeGradient.pointer
      active.withUnsafeBufferPointer { active in
        parallelChunks(rows, workers: workers) { _, range in
          for i in range {
            let from = compact + i * a
            let to = codeGradient + i * columns
            for (c, j) in active.enumerated() { to[j] += from[c] }
          }
        }
      }
    }
    return RegularizerValues(entropy: entropy, covariance: covariance)
  }

  public func backward(
    _ preGradient: UnsafeMutablePointer<Float>, codeGradient: UnsafePointer<Float>, pre: UnsafePointer<Float>,
    rows: Int, columns: Int, configuration: AutoencoderConfiguration, scratch: CodeScratch, workers: Int
  ) {
    parallelChunks(rows, workers: workers) { _, range in
      let offset = range.lowerBound * columns
      binarizeBackward(
        preGradient + offset, codeGradient: codeGradient + offset, preactivations: pre + offset,
        count: range.count * columns, estimator: configuration.estimator)
    }
  }
}

/// Sparse codes whose gradient flows through a 0/1 keep mask (ReLU, TopK, BatchTopK, JumpReLU).
protocol MaskedCodes: CodeFunction {
  /// Writes codes and the keep mask.
  func select(
    _ codes: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<UInt8>, pre: UnsafePointer<Float>, rows: Int,
    columns: Int, configuration: AutoencoderConfiguration, thresholds: UnsafePointer<Float>?)
  /// Whether the L1 penalty applies.
  var usesL1: Bool { get }
  /// Whether each row's selection depends on that row only (not BatchTopK), so rows can be
  /// selected concurrently.
  var selectsRowByRow: Bool { get }
}

extension MaskedCodes {
  public var masksGradient: Bool { true }

  public func forward(
    _ codes: UnsafeMutablePointer<Float>, pre: UnsafePointer<Float>, rows: Int, columns: Int,
    configuration: AutoencoderConfiguration, thresholds: UnsafePointer<Float>?, scratch: CodeScratch, workers: Int
  ) {
    scratch.reserve(rows: rows, columns: columns, binary: false)
    let mask = scratch.mask.pointer
    parallelChunks(rows, workers: selectsRowByRow ? workers : 1) { _, range in
      let offset = range.lowerBound * columns
      select(
        codes + offset, mask: mask + offset, pre: pre + offset, rows: range.count, columns: columns,
        configuration: configuration, thresholds: thresholds)
    }
  }

  public func regularize(
    codeGradient: UnsafeMutablePointer<Float>?, codes: UnsafePointer<Float>, rows: Int, columns: Int,
    weights: RegularizerWeights, scratch: CodeScratch, context: ComputeContext
  ) -> RegularizerValues {
    guard usesL1 else { return RegularizerValues() }
    let count = rows * columns
    // Σ|z| in fixed blocks of 2^16 latents (each summed in order, then the blocks in order), so
    // the value does not depend on the number of workers.
    let block = 1 << 16
    let blocks = (count + block - 1) / block
    let l1 = withUnsafeTemporaryAllocation(of: Double.self, capacity: max(blocks, 1)) { sums in
      let sums = sums.baseAddress!
      parallelChunks(blocks, workers: context.threads) { _, range in
        for b in range { sums[b] = l1Penalty(codes + b * block, count: min(block, count - b * block)) }
      }
      var total = 0.0
      for b in 0..<blocks { total += sums[b] }
      return total
    }
    if let codeGradient, weights.l1 != 0 {
      parallelChunks(rows, workers: context.threads) { _, range in
        let offset = range.lowerBound * columns
        l1PenaltyBackward(
          codeGradient + offset, latents: codes + offset, count: range.count * columns, weight: weights.l1,
          accumulate: true)
      }
    }
    return RegularizerValues(l1: l1)
  }

  public func backward(
    _ preGradient: UnsafeMutablePointer<Float>, codeGradient: UnsafePointer<Float>, pre: UnsafePointer<Float>,
    rows: Int, columns: Int, configuration: AutoencoderConfiguration, scratch: CodeScratch, workers: Int
  ) {
    let mask = scratch.mask.pointer
    parallelChunks(rows, workers: workers) { _, range in
      let offset = range.lowerBound * columns
      maskedBackward(
        preGradient + offset, outputGradient: codeGradient + offset, mask: mask + offset, count: range.count * columns)
    }
  }
}

/// ReLU codes with an L1 penalty (also the transcoder's).
public struct ReLUCodes: MaskedCodes {
  public init() {}
  var usesL1: Bool { true }
  var selectsRowByRow: Bool { true }
  func select(
    _ codes: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<UInt8>, pre: UnsafePointer<Float>, rows: Int,
    columns: Int, configuration: AutoencoderConfiguration, thresholds: UnsafePointer<Float>?
  ) {
    reluForward(codes, mask: mask, pre, count: rows * columns)
  }
}

/// Per-row TopK codes (ties with the k-th value kept, as the reference).
public struct TopKCodes: MaskedCodes {
  public init() {}
  var usesL1: Bool { false }
  var selectsRowByRow: Bool { true }
  func select(
    _ codes: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<UInt8>, pre: UnsafePointer<Float>, rows: Int,
    columns: Int, configuration: AutoencoderConfiguration, thresholds: UnsafePointer<Float>?
  ) {
    topKForward(codes, mask: mask, pre, rows: rows, columns: columns, k: configuration.topK)
  }
}

/// BatchTopK codes: the `B·k` largest pre-activations of the batch.
public struct BatchTopKCodes: MaskedCodes {
  public init() {}
  var usesL1: Bool { false }
  var selectsRowByRow: Bool { false }
  func select(
    _ codes: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<UInt8>, pre: UnsafePointer<Float>, rows: Int,
    columns: Int, configuration: AutoencoderConfiguration, thresholds: UnsafePointer<Float>?
  ) {
    batchTopKForward(codes, mask: mask, pre, rows: rows, columns: columns, k: configuration.topK)
  }
}

/// JumpReLU codes `z·1[z > θ_j]` with per-code thresholds (fixed at the configured value, as the
/// reference).
public struct JumpReLUCodes: MaskedCodes {
  public init() {}
  var usesL1: Bool { false }
  var selectsRowByRow: Bool { true }
  func select(
    _ codes: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<UInt8>, pre: UnsafePointer<Float>, rows: Int,
    columns: Int, configuration: AutoencoderConfiguration, thresholds: UnsafePointer<Float>?
  ) {
    guard let thresholds else { preconditionFailure("JumpReLU needs thresholds") }
    jumpReLUForward(codes, mask: mask, pre, thresholds: thresholds, rows: rows, columns: columns)
  }
}
