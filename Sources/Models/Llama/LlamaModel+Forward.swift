import Foundation
import HookPoints
import TensorCore

/// Errors of the forward pass caused by its input.
public enum ForwardError: Error, CustomStringConvertible, Equatable {
  case emptyBatch
  case tokenOutOfRange(sequence: Int, position: Int, token: Int32, vocabularySize: Int)
  /// The model's weights are stored in one precision and the context asks for another (load the
  /// model with the context's precision).
  case precisionMismatch(model: Precision, context: Precision)
  /// oneDNN could not set up a bf16 product.
  case matmul(MatmulError)

  public var description: String {
    switch self {
    case .emptyBatch:
      "the batch holds no tokens"
    case .tokenOutOfRange(let s, let p, let token, let vocabulary):
      "sequence \(s), position \(p): token id \(token) is outside the vocabulary 0…\(vocabulary - 1)"
    case .precisionMismatch(let model, let context):
      "the model's weights are stored in \(model.rawValue) but the pass asks for \(context.rawValue); load the model with precision \(context.rawValue)"
    case .matmul(let error):
      "bf16 matrix product: \(error)"
    }
  }
}

extension LlamaModel {
  /// Query rows per causal attention block (see `runBlock`).
  static let attentionBlockRows = 128

  /// Runs the model over a batch of token sequences, calling `hooks` at each requested point
  /// and letting it replace the activations of the points it edits (``ForwardHook/editedPoints``;
  /// every later step computes from the replacement).
  ///
  /// Computation stops after the last point the hook reads or edits: a hook on
  /// `blocks.5.hook_resid_post` runs only blocks 0…5; the LM head runs only for `logits`.
  ///
  /// Passes are independent: several may run at once in one process (each with its own `state`
  /// and its own `context`), and a hook may itself run another pass. No lock is held while hooks
  /// run.
  ///
  /// - Parameters:
  ///   - batch: token ids per sequence; sequences may differ in length (they are packed).
  ///   - state: reusable buffers (one per concurrent pass; see ``LlamaRunState``).
  ///   - hooks: receives ``ActivationView``s (``MutableActivationView``s at edited points) into
  ///     `state`, valid during the call only.
  ///   - context: threads (and precision) of the pass.
  /// The context's precision must be the model's (``LlamaModel/precision``): f32 products run on
  /// OpenBLAS; bf16 products round their inputs to bfloat16 and accumulate in f32 (oneDNN), while
  /// norms, RoPE, attention scores, softmax and residual adds stay f32.
  ///
  /// - Returns: a ``ContextLengthWarning`` when a sequence is longer than
  ///   `max_position_embeddings` (it still runs), else `nil`.
  /// - Throws: ``ForwardError`` for an empty batch, an out-of-vocabulary id or a precision other
  ///   than the model's; anything the hook throws.
  /// - Complexity: O(T·P + Σ n²·d) for `T` tokens, `P` parameters, sequence lengths `n`.
  @discardableResult
  public func forward(
    batch: [[Int32]], state: LlamaRunState, hooks: inout some ForwardHook, context: ComputeContext
  ) throws -> ContextLengthWarning? {
    let c = configuration
    guard context.precision == precision else {
      throw ForwardError.precisionMismatch(model: precision, context: context.precision)
    }
    var sequences: [Range<Int>] = []
    var total = 0
    for (s, sequence) in batch.enumerated() {
      for (p, token) in sequence.enumerated() where token < 0 || Int(token) >= c.vocabularySize {
        throw ForwardError.tokenOutOfRange(sequence: s, position: p, token: token, vocabularySize: c.vocabularySize)
      }
      sequences.append(total..<(total + sequence.count))
      total += sequence.count
    }
    guard total > 0 else { throw ForwardError.emptyBatch }
    let longest = batch.map(\.count).max() ?? 0
    let warning = contextLengthWarning(longest: longest)
    let workers = context.threads
    state.reserve(tokens: total, longest: longest, workers: workers)
    state.bfloat16Kernel = context.bfloat16Kernel

    let points = hooks.points
    let edited = hooks.editedPoints
    let reached = points.union(edited)
    let wantsLogits = reached.contains(.logits)
    let wantsFinal = wantsLogits || reached.contains(.finalNorm)
    let lastLayer = wantsFinal ? c.layerCount - 1 : (reached.compactMap(\.layer).max() ?? -1)

    let T = total
    let d = c.hiddenSize

    // An edited point is handed over writable first, so a reader of the same point sees what the
    // rest of the pass computes from.
    func emit(_ point: HookPoint, _ buffer: UnsafeMutablePointer<Float>, width: Int) throws {
      if edited.contains(point) {
        let view = MutableActivationView(
          values: UnsafeMutableBufferPointer(start: buffer, count: T * width), rows: T, width: width,
          sequences: sequences)
        try hooks.edit(point, view)
      }
      guard points.contains(point) else { return }
      let view = ActivationView(
        values: UnsafeBufferPointer(start: buffer, count: T * width), rows: T, width: width, sequences: sequences)
      try hooks.visit(point, view)
    }

    // Embedding lookup and position ids.
    let x = state.residual.pointer
    var row = 0
    for sequence in batch {
      for (p, token) in sequence.enumerated() {
        state.positions.pointer[row] = Int32(p)
        weights.tokenEmbedding.copyRow(offset: Int(token) * d, count: d, to: x + row * d)
        row += 1
      }
    }

    guard lastLayer >= 0 || wantsFinal else { return warning }
    for l in 0...max(lastLayer, 0) where lastLayer >= 0 {
      try runBlock(l, state: state, tokens: T, sequences: sequences, workers: workers, emit: emit)
    }
    guard wantsFinal else { return warning }

    let xb = state.normed.pointer
    weights.finalNorm.withUnsafeBufferPointer { g in
      context.parallelFor(T) { _, rows in
        rmsNorm(
          xb + rows.lowerBound * d, x + rows.lowerBound * d, weight: g.baseAddress!, rows: rows.count, dim: d,
          epsilon: c.rmsNormEpsilon)
      }
    }
    try emit(.finalNorm, xb, width: d)
    guard wantsLogits else { return warning }
    state.reserveLogits()
    let out = state.logits.pointer
    try project(
      out, xb, weights.lmHead ?? weights.tokenEmbedding, rows: T, inDim: d, outDim: c.vocabularySize, state: state,
      workers: workers)
    try emit(.logits, out, width: c.vocabularySize)
    return warning
  }

  /// One decoder block over all packed rows.
  private func runBlock(
    _ l: Int, state s: LlamaRunState, tokens T: Int, sequences: [Range<Int>], workers: Int,
    emit: (HookPoint, UnsafeMutablePointer<Float>, Int) throws -> Void
  ) throws {
    let c = configuration
    let w = weights.layers[l]
    let d = c.hiddenSize
    let q = c.queryWidth
    let kv = c.keyValueWidth
    let f = c.intermediateSize
    let hd = c.headDim
    let groupSize = c.headCount / c.kvHeadCount
    let scale = 1 / Float(hd).squareRoot()

    let x = s.residual.pointer
    let xb = s.normed.pointer
    let qb = s.query.pointer
    let kb = s.key.pointer
    let vb = s.value.pointer
    let att = s.attention.pointer
    let out = s.blockOutput.pointer
    let hb = s.gate.pointer
    let hb2 = s.up.pointer
    let scores = s.scores.pointer
    let positions = UnsafePointer(s.positions.pointer)

    try emit(.residualPre(layer: l), x, d)

    // Attention.
    let eps = c.rmsNormEpsilon
    w.attentionNorm.withUnsafeBufferPointer { g in
      parallelChunks(T, workers: workers) { _, rows in
        rmsNorm(
          xb + rows.lowerBound * d, x + rows.lowerBound * d, weight: g.baseAddress!, rows: rows.count, dim: d,
          epsilon: eps)
      }
    }
    try project(qb, xb, w.query, rows: T, inDim: d, outDim: q, state: s, workers: workers)
    try project(kb, xb, w.key, rows: T, inDim: d, outDim: kv, state: s, workers: workers)
    try project(vb, xb, w.value, rows: T, inDim: d, outDim: kv, state: s, workers: workers)
    s.rotary.cos.withUnsafeBufferPointer { cosTable in
      s.rotary.sin.withUnsafeBufferPointer { sinTable in
        parallelChunks(T, workers: workers) { _, rows in
          let r = rows.lowerBound
          applyRoPE(
            qb + r * q, rows: rows.count, heads: c.headCount, headDim: hd, positions: positions + r,
            cosTable: cosTable.baseAddress!, sinTable: sinTable.baseAddress!)
          applyRoPE(
            kb + r * kv, rows: rows.count, heads: c.kvHeadCount, headDim: hd, positions: positions + r,
            cosTable: cosTable.baseAddress!, sinTable: sinTable.baseAddress!)
        }
      }
    }
    // One work item per (sequence, head); each worker owns one score matrix and runs its small
    // products on its own thread, so both levels do not compete for cores.
    let items = sequences.flatMap { range in (0..<c.headCount).map { (range, $0) } }
    let scoreStride = s.sequenceCapacity * s.sequenceCapacity
    parallelChunks(items.count, workers: workers) { worker, chunk in
      let scoreMatrix = scores + worker * scoreStride
      for (range, h) in items[chunk] {
        let start = range.lowerBound
        let g = h / groupSize
        // Causal attention in blocks of query rows: block [i0, i1) only needs keys [0, i1),
        // which skips most of the masked upper triangle.
        var i0 = 0
        while i0 < range.count {
          let i1 = min(range.count, i0 + Self.attentionBlockRows)
          let rows = i1 - i0
          // scores [rows, i1] = Q_h[i0..<i1] [rows, hd] · K_g[0..<i1]ᵀ · scale
          gemm(
            scoreMatrix, ldc: i1, qb + (start + i0) * q + h * hd, lda: q, kb + start * kv + g * hd, ldb: kv,
            transposeB: true, m: rows, n: i1, k: hd, alpha: scale)
          softmaxRows(scoreMatrix, rows: rows, stride: i1) { i0 + $0 + 1 }
          // out_h[i0..<i1] [rows, hd] = P [rows, i1] · V_g[0..<i1] [i1, hd]
          gemm(
            att + (start + i0) * q + h * hd, ldc: q, scoreMatrix, lda: i1, vb + start * kv + g * hd, ldb: kv,
            m: rows, n: hd, k: i1)
          i0 = i1
        }
      }
    }
    try project(out, att, w.attentionOutput, rows: T, inDim: q, outDim: d, state: s, workers: workers)
    try emit(.attentionOutput(layer: l), out, d)
    parallelChunks(T * d, workers: workers) { _, e in addInPlace(x + e.lowerBound, out + e.lowerBound, count: e.count) }
    try emit(.residualMid(layer: l), x, d)

    // MLP.
    w.mlpNorm.withUnsafeBufferPointer { g in
      parallelChunks(T, workers: workers) { _, rows in
        rmsNorm(
          xb + rows.lowerBound * d, x + rows.lowerBound * d, weight: g.baseAddress!, rows: rows.count, dim: d,
          epsilon: eps)
      }
    }
    try emit(.mlpInput(layer: l), xb, d)
    try project(hb, xb, w.gate, rows: T, inDim: d, outDim: f, state: s, workers: workers)
    try project(hb2, xb, w.up, rows: T, inDim: d, outDim: f, state: s, workers: workers)
    parallelChunks(T * f, workers: workers) { _, e in swiGLU(hb + e.lowerBound, up: hb2 + e.lowerBound, count: e.count)
    }
    try project(out, hb, w.down, rows: T, inDim: f, outDim: d, state: s, workers: workers)
    try emit(.mlpOutput(layer: l), out, d)
    parallelChunks(T * d, workers: workers) { _, e in addInPlace(x + e.lowerBound, out + e.lowerBound, count: e.count) }
    try emit(.residualPost(layer: l), x, d)
  }

  /// ``project(_:_:_:rows:inDim:outDim:workers:kernel:bfloat16:)`` with the state's bf16 kernels.
  private func project(
    _ output: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>, _ weight: WeightMatrix, rows: Int,
    inDim: Int, outDim: Int, state: LlamaRunState, workers: Int
  ) throws(ForwardError) {
    do throws(MatmulError) {
      try Self.project(
        output, input, weight, rows: rows, inDim: inDim, outDim: outDim, workers: workers,
        kernel: state.bfloat16Kernel, bfloat16: state.bfloat16GEMM)
    } catch {
      throw .matmul(error)
    }
  }
}
