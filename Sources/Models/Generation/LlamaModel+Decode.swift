import TensorCore

/// New tokens of one sequence for a decoding step, and the cache that holds its past.
public struct DecodeInput {
  /// Tokens at positions `cache.count…` (the whole prompt for a prefill, one token afterwards).
  public var tokens: [Int32]
  /// The sequence's keys and values; the step appends the new tokens' to it.
  public var cache: KVCache

  /// Pairs new tokens with their sequence's cache.
  public init(tokens: [Int32], cache: KVCache) {
    self.tokens = tokens
    self.cache = cache
  }
}

extension LlamaModel {
  /// Runs the model over the new tokens of each sequence, attending to everything its cache
  /// holds, appends their keys and values to the caches, and leaves the logits of each
  /// sequence's last new token in `state` (``DecodeState/logits(sequence:)``).
  ///
  /// A prefill is a step whose tokens are the whole prompt; a decode step feeds one token. The
  /// logits equal those of ``forward(batch:state:hooks:context:)`` over the whole sequence at
  /// that position (same kernels; last bits may differ where a product has another shape).
  /// Sequences are packed as in `forward`: one GEMM per projection for all of them.
  ///
  /// - Parameters:
  ///   - inputs: new tokens per sequence, each with its own cache (distinct caches).
  ///   - state: reusable buffers (one per concurrent pass).
  ///   - context: threads of the pass.
  /// - Throws: ``GenerationError`` for an empty step, an out-of-vocabulary id, or a cache
  ///   without room; nothing is written to any cache then.
  /// - Complexity: O(T·P + Σ n·(c + n)·d) for `T` new tokens, `P` parameters, `n` new and `c`
  ///   cached positions per sequence.
  public func decode(_ inputs: [DecodeInput], state: DecodeState, context: ComputeContext) throws(GenerationError) {
    let c = configuration
    guard context.precision == precision else {
      throw .precisionMismatch(model: precision, context: context.precision)
    }
    guard !inputs.isEmpty else { throw .emptyStep }
    var rows: [Range<Int>] = []
    var total = 0
    var longest = 0
    for input in inputs {
      guard !input.tokens.isEmpty else { throw .emptyStep }
      for token in input.tokens where token < 0 || Int(token) >= c.vocabularySize {
        throw .tokenOutOfRange(token: token, vocabularySize: c.vocabularySize)
      }
      let needed = input.cache.count + input.tokens.count
      guard needed <= input.cache.capacity else { throw .contextFull(needed: needed, capacity: input.cache.capacity) }
      longest = max(longest, needed)
      rows.append(total..<(total + input.tokens.count))
      total += input.tokens.count
    }
    let workers = context.threads
    state.reserve(tokens: total, sequences: inputs.count, context: longest, workers: workers)
    state.bfloat16Kernel = context.bfloat16Kernel
    let d = c.hiddenSize

    let x = state.residual.pointer
    for (b, input) in inputs.enumerated() {
      for (i, token) in input.tokens.enumerated() {
        let row = rows[b].lowerBound + i
        state.positions.pointer[row] = Int32(input.cache.count + i)
        weights.tokenEmbedding.copyRow(offset: Int(token) * d, count: d, to: x + row * d)
      }
    }
    // Nothing is written to a cache before every product could be set up: the bf16 kernels
    // are created (the only step that can fail) before the first block.
    if precision == .bfloat16 {
      do throws(MatmulError) { _ = try state.bfloat16GEMM() } catch { throw .matmul(error) }
    }
    for l in 0..<c.layerCount {
      try decodeBlock(l, inputs: inputs, rows: rows, state: state, workers: workers)
    }
    for input in inputs { input.cache.advance(by: input.tokens.count) }

    // Final norm and LM head on each sequence's last row only.
    let last = state.lastNormed.pointer
    weights.finalNorm.withUnsafeBufferPointer { g in
      for (b, range) in rows.enumerated() {
        rmsNorm(last + b * d, x + (range.upperBound - 1) * d, weight: g.baseAddress!, rows: 1, dim: d,
          epsilon: c.rmsNormEpsilon)
      }
    }
    try project(
      state.logits.pointer, last, weights.lmHead ?? weights.tokenEmbedding, rows: inputs.count, inDim: d,
      outDim: c.vocabularySize, state: state, workers: workers)
  }

  /// ``project(_:_:_:rows:inDim:outDim:workers:kernel:bfloat16:)`` with the state's bf16 kernels.
  private func project(
    _ output: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>, _ weight: WeightMatrix, rows: Int,
    inDim: Int, outDim: Int, state: DecodeState, workers: Int
  ) throws(GenerationError) {
    do throws(MatmulError) {
      try Self.project(
        output, input, weight, rows: rows, inDim: inDim, outDim: outDim, workers: workers,
        kernel: state.bfloat16Kernel, bfloat16: state.bfloat16GEMM)
    } catch {
      throw .matmul(error)
    }
  }

  /// One decoder block over the packed new rows, reading and extending each sequence's cache.
  private func decodeBlock(
    _ l: Int, inputs: [DecodeInput], rows sequenceRows: [Range<Int>], state s: DecodeState, workers: Int
  ) throws(GenerationError) {
    let c = configuration
    let w = weights.layers[l]
    let T = sequenceRows.last!.upperBound
    let d = c.hiddenSize
    let q = c.queryWidth
    let kv = c.keyValueWidth
    let f = c.intermediateSize
    let hd = c.headDim
    let groupSize = c.headCount / c.kvHeadCount
    let scale = 1 / Float(hd).squareRoot()
    let eps = c.rmsNormEpsilon

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

    w.attentionNorm.withUnsafeBufferPointer { g in
      parallelChunks(T, workers: workers) { _, r in
        rmsNorm(xb + r.lowerBound * d, x + r.lowerBound * d, weight: g.baseAddress!, rows: r.count, dim: d, epsilon: eps)
      }
    }
    try project(qb, xb, w.query, rows: T, inDim: d, outDim: q, state: s, workers: workers)
    try project(kb, xb, w.key, rows: T, inDim: d, outDim: kv, state: s, workers: workers)
    try project(vb, xb, w.value, rows: T, inDim: d, outDim: kv, state: s, workers: workers)
    s.rotary.cos.withUnsafeBufferPointer { cosTable in
      s.rotary.sin.withUnsafeBufferPointer { sinTable in
        parallelChunks(T, workers: workers) { _, r in
          applyRoPE(
            qb + r.lowerBound * q, rows: r.count, heads: c.headCount, headDim: hd, positions: positions + r.lowerBound,
            cosTable: cosTable.baseAddress!, sinTable: sinTable.baseAddress!)
          applyRoPE(
            kb + r.lowerBound * kv, rows: r.count, heads: c.kvHeadCount, headDim: hd,
            positions: positions + r.lowerBound, cosTable: cosTable.baseAddress!, sinTable: sinTable.baseAddress!)
        }
      }
    }
    // Append the new keys and values to each cache: K_cache[p0 + i] = k[row i].
    for (b, input) in inputs.enumerated() {
      let p0 = input.cache.count
      let r = sequenceRows[b]
      (input.cache.keys(layer: l) + p0 * kv).update(from: kb + r.lowerBound * kv, count: r.count * kv)
      (input.cache.values(layer: l) + p0 * kv).update(from: vb + r.lowerBound * kv, count: r.count * kv)
    }
    // One work item per (sequence, head), as in `forward`.
    let items = inputs.indices.flatMap { b in (0..<c.headCount).map { (b, $0) } }
    let scoreStride = Self.attentionBlockRows * s.contextCapacity
    parallelChunks(items.count, workers: workers) { worker, chunk in
      let scoreMatrix = scores + worker * scoreStride
      for (b, h) in items[chunk] {
        let cache = inputs[b].cache
        let p0 = cache.count
        let start = sequenceRows[b].lowerBound
        let n = sequenceRows[b].count
        let g = h / groupSize
        let keys = UnsafePointer(cache.keys(layer: l))
        let values = UnsafePointer(cache.values(layer: l))
        var i0 = 0
        while i0 < n {
          let i1 = min(n, i0 + Self.attentionBlockRows)
          let blockRows = i1 - i0
          let visible = p0 + i1
          // scores [rows, p0+i1] = Q_h[i0..<i1] [rows, hd] · K_g[0..<p0+i1]ᵀ · scale
          gemm(
            scoreMatrix, ldc: visible, qb + (start + i0) * q + h * hd, lda: q, keys + g * hd, ldb: kv,
            transposeB: true, m: blockRows, n: visible, k: hd, alpha: scale)
          softmaxRows(scoreMatrix, rows: blockRows, stride: visible) { p0 + i0 + $0 + 1 }
          // out_h [rows, hd] = P [rows, p0+i1] · V_g[0..<p0+i1] [p0+i1, hd]
          gemm(
            att + (start + i0) * q + h * hd, ldc: q, scoreMatrix, lda: visible, values + g * hd, ldb: kv,
            m: blockRows, n: hd, k: visible)
          i0 = i1
        }
      }
    }
    try project(out, att, w.attentionOutput, rows: T, inDim: q, outDim: d, state: s, workers: workers)
    parallelChunks(T * d, workers: workers) { _, e in addInPlace(x + e.lowerBound, out + e.lowerBound, count: e.count) }

    w.mlpNorm.withUnsafeBufferPointer { g in
      parallelChunks(T, workers: workers) { _, r in
        rmsNorm(xb + r.lowerBound * d, x + r.lowerBound * d, weight: g.baseAddress!, rows: r.count, dim: d, epsilon: eps)
      }
    }
    try project(hb, xb, w.gate, rows: T, inDim: d, outDim: f, state: s, workers: workers)
    try project(hb2, xb, w.up, rows: T, inDim: d, outDim: f, state: s, workers: workers)
    parallelChunks(T * f, workers: workers) { _, e in
      swiGLU(hb + e.lowerBound, up: hb2 + e.lowerBound, count: e.count)
    }
    try project(out, hb, w.down, rows: T, inDim: f, outDim: d, state: s, workers: workers)
    parallelChunks(T * d, workers: workers) { _, e in addInPlace(x + e.lowerBound, out + e.lowerBound, count: e.count) }
  }
}
