import Foundation
import TensorCore

/// Errors of the forward pass caused by its input.
public enum ForwardError: Error, CustomStringConvertible, Equatable {
  case emptyBatch
  case tokenOutOfRange(sequence: Int, position: Int, token: Int32, vocabularySize: Int)

  public var description: String {
    switch self {
    case .emptyBatch:
      "the batch holds no tokens"
    case .tokenOutOfRange(let s, let p, let token, let vocabulary):
      "sequence \(s), position \(p): token id \(token) is outside the vocabulary 0…\(vocabulary - 1)"
    }
  }
}

extension LlamaModel {
  /// Query rows per causal attention block (see `runBlock`).
  static let attentionBlockRows = 128

  /// Runs the model over a batch of token sequences, calling `hooks` at each requested point.
  ///
  /// Computation stops after the last point the hook asks for: a hook on
  /// `blocks.5.hook_resid_post` runs only blocks 0…5; the LM head runs only for `logits`.
  ///
  /// - Parameters:
  ///   - batch: token ids per sequence; sequences may differ in length (they are packed).
  ///   - state: reusable buffers (create one per thread with ``LlamaRunState/init(configuration:)``).
  ///   - hooks: receives ``ActivationView``s into `state`, valid during the call only.
  ///
  /// Passes in one process run one at a time (see `withExclusiveBLAS`); each uses every core.
  /// - Throws: ``ForwardError`` for an empty batch or an out-of-vocabulary id; anything the hook throws.
  /// - Complexity: O(T·P + Σ n²·d) for `T` tokens, `P` parameters, sequence lengths `n`.
  public func forward(batch: [[Int32]], state: LlamaRunState, hooks: inout some ForwardHook) throws {
    try withExclusiveBLAS { try forwardUnlocked(batch: batch, state: state, hooks: &hooks) }
  }

  private func forwardUnlocked(batch: [[Int32]], state: LlamaRunState, hooks: inout some ForwardHook) throws {
    let c = configuration
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
    let workers = max(1, blasThreadCount())
    state.reserve(tokens: total, longest: longest, workers: workers)

    let points = hooks.points
    let wantsLogits = points.contains(.logits)
    let wantsFinal = wantsLogits || points.contains(.finalNorm)
    let lastLayer = wantsFinal ? c.layerCount - 1 : (points.compactMap(\.layer).max() ?? -1)

    let T = total
    let d = c.hiddenSize

    func emit(_ point: HookPoint, _ buffer: UnsafeMutablePointer<Float>, width: Int) throws {
      guard points.contains(point) else { return }
      let view = ActivationView(
        values: UnsafeBufferPointer(start: buffer, count: T * width), rows: T, width: width, sequences: sequences)
      try hooks.visit(point, view)
    }

    // Embedding lookup and position ids.
    var row = 0
    for sequence in batch {
      for (p, token) in sequence.enumerated() {
        state.positions[row] = Int32(p)
        weights.tokenEmbedding.withUnsafeBufferPointer { table in
          state.residual.withUnsafeMutableBufferPointer { x in
            let src = table.baseAddress! + Int(token) * d
            (x.baseAddress! + row * d).update(from: src, count: d)
          }
        }
        row += 1
      }
    }

    guard lastLayer >= 0 || wantsFinal else { return }
    for l in 0...max(lastLayer, 0) where lastLayer >= 0 {
      try runBlock(l, state: state, tokens: T, sequences: sequences, workers: workers, emit: emit)
    }
    guard wantsFinal else { return }

    try state.residual.withUnsafeMutableBufferPointer { x in
      try state.normed.withUnsafeMutableBufferPointer { xb in
        weights.finalNorm.withUnsafeBufferPointer { g in
          rmsNorm(xb.baseAddress!, x.baseAddress!, weight: g.baseAddress!, rows: T, dim: d, epsilon: c.rmsNormEpsilon)
        }
        try emit(.finalNorm, xb.baseAddress!, width: d)
        guard wantsLogits else { return }
        state.reserveLogits()
        let head = weights.lmHead ?? weights.tokenEmbedding
        try state.logits.withUnsafeMutableBufferPointer { out in
          head.withUnsafeBufferPointer { w in
            linear(out.baseAddress!, xb.baseAddress!, w.baseAddress!, rows: T, inDim: d, outDim: c.vocabularySize)
          }
          try emit(.logits, out.baseAddress!, width: c.vocabularySize)
        }
      }
    }
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

    let x = s.residual.withUnsafeMutableBufferPointer { $0.baseAddress! }
    let xb = s.normed.withUnsafeMutableBufferPointer { $0.baseAddress! }
    let qb = s.query.withUnsafeMutableBufferPointer { $0.baseAddress! }
    let kb = s.key.withUnsafeMutableBufferPointer { $0.baseAddress! }
    let vb = s.value.withUnsafeMutableBufferPointer { $0.baseAddress! }
    let att = s.attention.withUnsafeMutableBufferPointer { $0.baseAddress! }
    let out = s.blockOutput.withUnsafeMutableBufferPointer { $0.baseAddress! }
    let hb = s.gate.withUnsafeMutableBufferPointer { $0.baseAddress! }
    let hb2 = s.up.withUnsafeMutableBufferPointer { $0.baseAddress! }
    let scores = s.scores.withUnsafeMutableBufferPointer { $0.baseAddress! }
    let positions = s.positions.withUnsafeBufferPointer { $0.baseAddress! }
    let cosTable = s.rotary.cos.withUnsafeBufferPointer { $0.baseAddress! }
    let sinTable = s.rotary.sin.withUnsafeBufferPointer { $0.baseAddress! }
    // The arrays above are owned by `s` and not resized during the block, so the pointers stay
    // valid; taking them once keeps the block free of nested closures.

    try emit(.residualPre(layer: l), x, d)

    // Attention.
    let eps = c.rmsNormEpsilon
    w.attentionNorm.withUnsafeBufferPointer { g in
      parallelChunks(T, workers: workers) { _, rows in
        rmsNorm(xb + rows.lowerBound * d, x + rows.lowerBound * d, weight: g.baseAddress!, rows: rows.count, dim: d, epsilon: eps)
      }
    }
    w.query.withUnsafeBufferPointer { linear(qb, xb, $0.baseAddress!, rows: T, inDim: d, outDim: q) }
    w.key.withUnsafeBufferPointer { linear(kb, xb, $0.baseAddress!, rows: T, inDim: d, outDim: kv) }
    w.value.withUnsafeBufferPointer { linear(vb, xb, $0.baseAddress!, rows: T, inDim: d, outDim: kv) }
    parallelChunks(T, workers: workers) { _, rows in
      let r = rows.lowerBound
      applyRoPE(qb + r * q, rows: rows.count, heads: c.headCount, headDim: hd, positions: positions + r, cosTable: cosTable, sinTable: sinTable)
      applyRoPE(kb + r * kv, rows: rows.count, heads: c.kvHeadCount, headDim: hd, positions: positions + r, cosTable: cosTable, sinTable: sinTable)
    }
    // One work item per (sequence, head); each worker owns one score matrix and BLAS runs
    // single-threaded inside, so both levels do not compete for cores.
    let items = sequences.flatMap { range in (0..<c.headCount).map { (range, $0) } }
    let scoreStride = s.sequenceCapacity * s.sequenceCapacity
    withSingleThreadedBLAS {
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
    }
    w.attentionOutput.withUnsafeBufferPointer { linear(out, att, $0.baseAddress!, rows: T, inDim: q, outDim: d) }
    try emit(.attentionOutput(layer: l), out, d)
    parallelChunks(T * d, workers: workers) { _, e in addInPlace(x + e.lowerBound, out + e.lowerBound, count: e.count) }
    try emit(.residualMid(layer: l), x, d)

    // MLP.
    w.mlpNorm.withUnsafeBufferPointer { g in
      parallelChunks(T, workers: workers) { _, rows in
        rmsNorm(xb + rows.lowerBound * d, x + rows.lowerBound * d, weight: g.baseAddress!, rows: rows.count, dim: d, epsilon: eps)
      }
    }
    try emit(.mlpInput(layer: l), xb, d)
    w.gate.withUnsafeBufferPointer { linear(hb, xb, $0.baseAddress!, rows: T, inDim: d, outDim: f) }
    w.up.withUnsafeBufferPointer { linear(hb2, xb, $0.baseAddress!, rows: T, inDim: d, outDim: f) }
    parallelChunks(T * f, workers: workers) { _, e in swiGLU(hb + e.lowerBound, up: hb2 + e.lowerBound, count: e.count) }
    w.down.withUnsafeBufferPointer { linear(out, hb, $0.baseAddress!, rows: T, inDim: f, outDim: d) }
    try emit(.mlpOutput(layer: l), out, d)
    parallelChunks(T * d, workers: workers) { _, e in addInPlace(x + e.lowerBound, out + e.lowerBound, count: e.count) }
    try emit(.residualPost(layer: l), x, d)
  }
}
