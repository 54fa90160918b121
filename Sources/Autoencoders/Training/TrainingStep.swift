import CKernels
import TensorCore

// Legend: B = batch rows, d = input width, m = code width, d_out = target width (= d).

/// Forward and hand-written backward pass of one batch, with reusable buffers.
///
///     z  = x·W_enc + b_enc                 [B, m]
///     h  = f(z)                            [B, m]   (the architecture's code function)
///     a  = h·W_dec + b_dec                 [B, d]
///     x̂  = g(a)                            [B, d]   (output activation)
///     L  = mean((x̂ − y)²) + Σ w·R(h)
///     ∂a = g'(a) ⊙ 2(x̂ − y)/(B·d)
///     ∂W_dec = hᵀ·∂a,  ∂b_dec = Σ_rows ∂a,  ∂h = ∂a·W_decᵀ + Σ w·∂R/∂h
///     ∂z = f'(∂h)   (mask, or the BAE's straight-through estimator)
///     ∂W_enc = xᵀ·∂z,  ∂b_enc = Σ_rows ∂z
///
/// Port of the reference's training step (`shared/reference/bae-method.md` §1–5), written from
/// the equations.
public final class TrainingStep {
  public let configuration: AutoencoderConfiguration
  let function: any CodeFunction
  let scratch = CodeScratch()
  /// `z`, then `∂z` (in place).
  var pre = Matrix(rows: 0, columns: 0)
  var codes = Matrix(rows: 0, columns: 0)
  /// `x̂`.
  var output = Matrix(rows: 0, columns: 0)
  /// `∂L/∂x̂`, then `∂L/∂a`.
  var outputGradient = Matrix(rows: 0, columns: 0)
  var codeGradient = Matrix(rows: 0, columns: 0)
  /// The kept codes of the last forward batch (masked architectures), as a CSR index.
  let keptStart = Buffer<Int32>(count: 0, repeating: 0)
  let keptColumns = Buffer<Int32>(count: 0, repeating: 0)
  /// `∂W_encᵀ` `[m, d]` of the sparse backward.
  let encoderGradientTransposed = Buffer<Float>(count: 0, repeating: 0)
  /// Whether the last forward batch kept few enough codes for the sparse products.
  private(set) var usedSparseProducts = false

  /// Masked codes (TopK, BatchTopK, and ReLU or JumpReLU when they keep few codes) take the
  /// sparse products of Kernels+SparseProducts.swift when at most this fraction of a batch's
  /// codes is kept: the decoder, its weight gradient, `∂h` at the kept codes and the encoder's
  /// weight gradient then cost O(kept·d) instead of four dense GEMMs of O(B·m·d). At 1/16 the
  /// sparse loops (about 5–10× slower per multiply-add than a cache-blocked GEMM) still win.
  /// Not for a learned JumpReLU threshold, whose gradient needs `∂h` at every code.
  var sparseDensityLimit = 1.0 / 16

  /// A step for autoencoders of this configuration.
  public init(configuration: AutoencoderConfiguration) {
    self.configuration = configuration
    function = configuration.architecture.codeFunction
  }

  private func reserve(rows: Int) {
    let (d, m) = (configuration.inputWidth, configuration.codeWidth)
    if pre.rows != rows {
      pre = Matrix(rows: rows, columns: m)
      codes = Matrix(rows: rows, columns: m)
      codeGradient = Matrix(rows: rows, columns: m)
      output = Matrix(rows: rows, columns: d)
      outputGradient = Matrix(rows: rows, columns: d)
    }
  }

  /// Runs a batch forward, keeping what ``backward(weights:input:target:into:context:)`` needs.
  ///
  /// - Parameters:
  ///   - weights: the parameters.
  ///   - input: `x`, `[B, d]`.
  ///   - target: `y`, `[B, d]` (the input itself for an autoencoder).
  ///   - regularizers: weights of the regularisers active at this step.
  ///   - training: also accumulate the regularisers' gradients with respect to the codes (for a
  ///     following backward pass).
  /// - Returns: the loss terms.
  @discardableResult
  public func forward(
    weights: AutoencoderWeights, input: Matrix, target: Matrix, regularizers: RegularizerWeights, training: Bool,
    context: ComputeContext
  ) -> LossTerms {
    let B = input.rows
    let (d, m) = (configuration.inputWidth, configuration.codeWidth)
    precondition(input.columns == d && target.columns == d && target.rows == B, "batch shape mismatch")
    reserve(rows: B)
    let fn = function
    let config = configuration
    let scratch = self.scratch

    addRowVector(weights.encoderBias, to: &pre, workers: context.threads)
    Matrix.multiply(input, weights.encoderWeight, into: &pre, beta: 1, context: context)
    pre.withUnsafeBufferPointer { z in
      codes.withUnsafeMutableBufferPointer { h in
        weights.threshold.withUnsafeBufferPointer { theta in
          fn.forward(
            h.baseAddress!, pre: z.baseAddress!, rows: B, columns: m, configuration: config,
            thresholds: theta.isEmpty ? nil : theta.baseAddress!, scratch: scratch, workers: context.threads)
        }
      }
    }
    usedSparseProducts = false
    if fn.masksGradient {
      let mask = scratch.mask.pointer
      var kept = 0
      for i in 0..<(B * m) { kept &+= Int(mask[i]) }
      usedSparseProducts = Double(kept) <= sparseDensityLimit * Double(B * m)
      if usedSparseProducts {
        keptStart.grow(to: B + 1, repeating: 0)
        keptColumns.grow(to: B * m, repeating: 0)
        _ = keptIndex(start: keptStart.pointer, columns: keptColumns.pointer, mask: mask, rows: B, width: m)
      }
    }
    addRowVector(weights.decoderBias, to: &output, workers: context.threads)
    if usedSparseProducts {
      let (start, columns) = (keptStart.pointer, keptColumns.pointer)
      output.withUnsafeMutableBufferPointer { o in
        codes.withUnsafeBufferPointer { h in
          weights.decoderWeight.withUnsafeBufferPointer { w in
            sparseDecode(
              o.baseAddress!, codes: h.baseAddress!, start: start, columns: columns, weight: w.baseAddress!, rows: B,
              width: m, outputWidth: d, workers: context.threads)
          }
        }
      }
    } else {
      Matrix.multiply(codes, weights.decoderWeight, into: &output, beta: 1, context: context)
    }
    if config.outputActivation != .none {
      output.withUnsafeMutableBufferPointer { o in
        outputActivationForward(o.baseAddress!, o.baseAddress!, count: o.count, activation: config.outputActivation)
      }
    }
    let mse = output.withUnsafeBufferPointer { o in
      target.withUnsafeBufferPointer { y in meanSquaredError(o.baseAddress!, target: y.baseAddress!, count: B * d) }
    }

    // Regularisers: their gradients go straight into ∂h; the decoder's part is added in backward.
    codeGradient.withUnsafeMutableBufferPointer { g in
      let g = g.baseAddress!
      parallelChunks(B, workers: context.threads) { _, rows in
        (g + rows.lowerBound * m).update(repeating: 0, count: rows.count * m)
      }
    }
    let values = codes.withUnsafeBufferPointer { h in
      codeGradient.withUnsafeMutableBufferPointer { g in
        fn.regularize(
          codeGradient: training ? g.baseAddress! : nil, codes: h.baseAddress!, rows: B, columns: m,
          weights: regularizers, scratch: scratch, context: context)
      }
    }
    var total = mse
    if let entropy = values.entropy, entropy >= regularizers.entropyThreshold {
      total += Double(regularizers.entropy) * entropy
    }
    if let covariance = values.covariance { total += Double(regularizers.covariance) * covariance }
    if let l1 = values.l1 { total += Double(regularizers.l1) * l1 }
    return LossTerms(mse: mse, entropy: values.entropy, covariance: values.covariance, l1: values.l1, total: total)
  }

  /// The gradients of the loss of the batch last run by ``forward(weights:input:target:regularizers:training:context:)``
  /// (with `training: true`), for every tensor.
  ///
  /// - Parameter gradients: receives `∂L/∂θ`, shaped like `weights`.
  public func backward(
    weights: AutoencoderWeights, input: Matrix, target: Matrix, into gradients: inout AutoencoderWeights,
    context: ComputeContext
  ) {
    let B = input.rows
    let (d, m) = (configuration.inputWidth, configuration.codeWidth)
    let fn = function
    let config = configuration
    let scratch = self.scratch
    output.withUnsafeBufferPointer { o in
      target.withUnsafeBufferPointer { y in
        outputGradient.withUnsafeMutableBufferPointer { g in
          meanSquaredErrorBackward(g.baseAddress!, reconstruction: o.baseAddress!, target: y.baseAddress!, count: B * d)
          if config.outputActivation != .none {
            outputActivationBackward(
              g.baseAddress!, outputGradient: g.baseAddress!, output: o.baseAddress!, count: B * d,
              activation: config.outputActivation)
          }
        }
      }
    }
    if usedSparseProducts && !config.learnThreshold {
      sparseBackward(weights: weights, input: input, into: &gradients, context: context)
      return
    }
    Matrix.multiply(codes, transposeA: true, outputGradient, into: &gradients.decoderWeight, context: context)
    if config.decoderBias {
      columnSums(outputGradient, into: &gradients.decoderBias, workers: context.threads)
    } else {
      gradients.decoderBias = Matrix(rows: 1, columns: d)
    }
    // ∂h += ∂a·W_decᵀ
    Matrix.multiply(
      outputGradient, weights.decoderWeight, transposeB: true, into: &codeGradient, beta: 1, context: context)
    // JumpReLU thresholds stay fixed (the reference's choice) unless learned.
    gradients.threshold = Matrix(rows: 1, columns: weights.threshold.columns)
    if config.learnThreshold {
      codeGradient.withUnsafeBufferPointer { gh in
        pre.withUnsafeBufferPointer { z in
          weights.threshold.withUnsafeBufferPointer { theta in
            gradients.threshold.withUnsafeMutableBufferPointer { gt in
              jumpReLUThresholdBackward(
                gt.baseAddress!, outputGradient: gh.baseAddress!, input: z.baseAddress!, thresholds: theta.baseAddress!,
                rows: B, columns: m, bandwidth: config.thresholdBandwidth)
            }
          }
        }
      }
    }
    codeGradient.withUnsafeBufferPointer { gh in
      pre.withUnsafeMutableBufferPointer { z in
        // ∂z overwrites z element by element; the estimators read z[i] before writing it.
        fn.backward(
          z.baseAddress!, codeGradient: gh.baseAddress!, pre: z.baseAddress!, rows: B, columns: m,
          configuration: config, scratch: scratch, workers: context.threads)
      }
    }
    Matrix.multiply(input, transposeA: true, pre, into: &gradients.encoderWeight, context: context)
    columnSums(pre, into: &gradients.encoderBias, workers: context.threads)
  }

  /// ``backward(weights:input:target:into:context:)`` over the kept codes only, once `∂L/∂a` is
  /// in `outputGradient`: the same gradients up to the order of the f32 sums.
  private func sparseBackward(
    weights: AutoencoderWeights, input: Matrix, into gradients: inout AutoencoderWeights, context: ComputeContext
  ) {
    let B = input.rows
    let (d, m) = (configuration.inputWidth, configuration.codeWidth)
    let (start, columns, workers) = (keptStart.pointer, keptColumns.pointer, context.threads)
    if gradients.decoderWeight.rows != m || gradients.decoderWeight.columns != d {
      gradients.decoderWeight = Matrix(rows: m, columns: d)
    }
    if gradients.encoderWeight.rows != d || gradients.encoderWeight.columns != m {
      gradients.encoderWeight = Matrix(rows: d, columns: m)
    }
    encoderGradientTransposed.grow(to: m * d, repeating: 0)
    codes.withUnsafeBufferPointer { h in
      outputGradient.withUnsafeBufferPointer { g in
        gradients.decoderWeight.withUnsafeMutableBufferPointer { gw in
          sparseDecoderWeightGradient(
            gw.baseAddress!, codes: h.baseAddress!, start: start, columns: columns, outputGradient: g.baseAddress!,
            rows: B, width: m, outputWidth: d, workers: workers)
        }
      }
    }
    if configuration.decoderBias {
      columnSums(outputGradient, into: &gradients.decoderBias, workers: context.threads)
    } else {
      gradients.decoderBias = Matrix(rows: 1, columns: d)
    }
    gradients.threshold = Matrix(rows: 1, columns: weights.threshold.columns)
    // ∂z = mask ⊙ (r + ∂a·W_decᵀ) at the kept codes, into `pre` (z is not needed any more).
    outputGradient.withUnsafeBufferPointer { g in
      codeGradient.withUnsafeBufferPointer { r in
        weights.decoderWeight.withUnsafeBufferPointer { w in
          pre.withUnsafeMutableBufferPointer { dz in
            sparsePreGradient(
              dz.baseAddress!, codeGradient: r.baseAddress!, start: start, columns: columns,
              outputGradient: g.baseAddress!, weight: w.baseAddress!, rows: B, width: m, outputWidth: d,
              workers: workers)
          }
        }
      }
    }
    input.withUnsafeBufferPointer { x in
      pre.withUnsafeBufferPointer { dz in
        gradients.encoderWeight.withUnsafeMutableBufferPointer { gw in
          sparseEncoderWeightGradient(
            gw.baseAddress!, transposed: encoderGradientTransposed.pointer, input: x.baseAddress!,
            preGradient: dz.baseAddress!, start: start, columns: columns, rows: B, inputWidth: d, width: m,
            workers: workers)
        }
      }
    }
    columnSums(pre, into: &gradients.encoderBias, workers: context.threads)
  }

  /// Code activity and reconstruction error of the batch just run forward.
  public func statistics(target: Matrix) -> CodeStatistics {
    var s = CodeStatistics()
    let (B, m, d) = (codes.rows, codes.columns, target.columns)
    s.rows = B
    var active = [Int](repeating: 0, count: m)
    codes.withUnsafeBufferPointer { h in
      active.withUnsafeMutableBufferPointer { a in
        // Branch-free counts: which codes fire is close to random.
        for i in 0..<B {
          let row = h.baseAddress! + i * m
          for j in 0..<m { a[j] &+= row[j] != 0 ? 1 : 0 }
        }
      }
    }
    s.active = active
    s.activeTotal = active.reduce(0, +)
    var mean = [Double](repeating: 0, count: d)
    for i in 0..<B { for j in 0..<d { mean[j] += Double(target.values[i * d + j]) } }
    for j in 0..<d { mean[j] /= Double(max(B, 1)) }
    for i in 0..<B {
      for j in 0..<d {
        let y = Double(target.values[i * d + j])
        let e = Double(output.values[i * d + j]) - y
        s.squaredError += e * e
        s.squaredDeviation += (y - mean[j]) * (y - mean[j])
      }
    }
    return s
  }
}

/// `out[0, j] = Σ_i m[i, j]`, summed over `i` in order (each worker owns a block of columns, so
/// the result does not depend on `workers`).
func columnSums(_ m: Matrix, into out: inout Matrix, workers: Int = 1) {
  let (rows, columns) = (m.rows, m.columns)
  if out.rows != 1 || out.columns != columns { out = Matrix(rows: 1, columns: columns) }
  guard rows > 0, columns > 0 else {
    out.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    return
  }
  m.withUnsafeBufferPointer { src in
    out.withUnsafeMutableBufferPointer { dst in
      let (src, dst) = (src.baseAddress!, dst.baseAddress!)
      parallelChunks(columns, workers: min(workers, max(1, columns / 64))) { _, owned in
        bae_column_sums(dst, src, rows, columns, owned.lowerBound, owned.upperBound)
      }
    }
  }
}
