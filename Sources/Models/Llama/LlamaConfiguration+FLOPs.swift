extension LlamaConfiguration {
  /// Floating-point operations (a multiply-add counts 2) of a forward pass over sequences of the
  /// given lengths, through block `lastLayer` (and the LM head when `logits`).
  ///
  /// Per token and block: `2·d·(q + 2·kv)` (Q, K, V), `2·q·d` (o_proj), `6·d·f` (gate, up, down);
  /// per sequence of `n` tokens and block, causal attention: `2·n²·q` (half of `Q·Kᵀ` and of
  /// `P·V`, `n²·q` multiply-adds each). The LM head adds `2·d·vocab` per token. Norms, RoPE,
  /// softmax and elementwise work are left out (under 1% at these sizes).
  ///
  /// - Returns: the count as a `Double` (it exceeds `Int32`).
  public func forwardFLOPs(sequenceLengths: [Int], lastLayer: Int, logits: Bool = false) -> Double {
    let (d, q, kv, f) = (Double(hiddenSize), Double(queryWidth), Double(keyValueWidth), Double(intermediateSize))
    let tokens = Double(sequenceLengths.reduce(0, +))
    let blocks = Double(max(0, min(lastLayer, layerCount - 1) + 1))
    let perTokenBlock = 2 * d * (q + 2 * kv) + 2 * q * d + 6 * d * f
    let attention = sequenceLengths.reduce(0.0) { $0 + 2 * Double($1) * Double($1) * q }
    var total = blocks * (tokens * perTokenBlock + attention)
    if logits { total += tokens * 2 * d * Double(vocabularySize) }
    return total
  }
}
