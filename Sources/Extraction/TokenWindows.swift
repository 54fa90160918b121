import TensorCore

/// Cuts one document's token ids into model inputs.
///
/// - Parameters:
///   - tokens: the document as the tokenizer encoded it.
///   - context: maximum window length, BOS included.
///   - bos: the id put at the start of every window, or `nil` for none.
///   - stripLeadingToken: drop `tokens[0]` first (the BOS the tokenizer added by itself, which
///     `bos` replaces per window).
/// - Returns: windows of at most `context` ids, in order; none for an empty document.
public func contextWindows(
  of tokens: [Int32], context: Int, bos: Int32?, stripLeadingToken: Bool
) -> [[Int32]] {
  let content = stripLeadingToken ? tokens.dropFirst() : tokens[...]
  let step = context - (bos == nil ? 0 : 1)
  var windows: [[Int32]] = []
  var start = content.startIndex
  while start < content.endIndex {
    let end = min(content.endIndex, start + step)
    var window: [Int32] = []
    window.reserveCapacity(end - start + 1)
    if let bos { window.append(bos) }
    window.append(contentsOf: content[start..<end])
    windows.append(window)
    start = end
  }
  return windows
}

/// Decides per document whether a sampled extraction keeps it: a SplitMix64 hash of
/// `(seed, ordinal)` mapped to [0, 1) and compared with `rate`. Deterministic, so a resumed
/// run keeps the same documents.
public func keepsDocument(ordinal: Int64, rate: Double, seed: UInt64) -> Bool {
  if rate >= 1 { return true }
  let z = SplitMix64.mix(seed &+ UInt64(bitPattern: ordinal) &* 0x9E37_79B9_7F4A_7C15 &+ 0x9E37_79B9_7F4A_7C15)
  return Double(z >> 11) / Double(1 << 53) < rate
}
