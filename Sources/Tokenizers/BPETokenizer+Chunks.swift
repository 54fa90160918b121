/// Where a byte-level BPE tokenizer may cut a text into parts encoded one by one with exactly
/// the ids of the whole: a cut at scalar `p` is safe when no piece of the pipeline can span it
/// and every piece before it is decided without looking past it.
///
/// Two kinds of cut are used, both boundaries of every split rule bae scans by hand (GPT-2's,
/// Llama 3's and Qwen 2's patterns; `Digits`; `ByteLevel`'s regex):
/// - after a letter (`\p{L}`) and before a space (U+0020): a letter run (or a contraction)
///   ends at the first non-letter, and the space starts the next piece (` ?\p{L}+`, or
///   whitespace), whatever follows;
/// - after a lone `\n` between two non-space scalars: the `\n` is a whitespace piece of its
///   own (or ends a `[^\s\p{L}\p{N}]+[\r\n]*` piece) and the next scalar starts a new piece,
///   and a text that ends with it splits it the same way.
///
/// Cutting is off (the whole text is one part) when the pipeline has a pattern run by ICU
/// (its matches cannot be reasoned about here), when a normalizer may rewrite scalars across
/// the cut, or when an added token could match across it (content with white space, or
/// `lstrip`/`rstrip`, which absorb the white space at a cut).
struct SafeCuts: Sendable {
  /// Whether any cut is allowed.
  let enabled: Bool

  init(definition d: BPEDefinition) {
    func handScanned(_ p: PreTokenizer) -> Bool {
      switch p {
      case .byteLevel, .digits: return true
      case .split(let rule):
        if case .regex = rule { return false }
        return true
      case .sequence(let steps): return steps.allSatisfy(handScanned)
      }
    }
    let addedTokensSafe = d.addedTokens.allSatisfy { token in
      !token.lstrip && !token.rstrip && !token.content.unicodeScalars.contains { $0.properties.isWhitespace }
    }
    enabled = d.normalizer == nil && handScanned(d.preTokenizer) && addedTokensSafe
  }

  /// Whether `scalars` may be cut before index `p` (`0 < p < scalars.count`).
  func allows(_ scalars: String.UnicodeScalarView, before p: String.Index) -> Bool {
    let here = scalars[p]
    let previous = scalars[scalars.index(before: p)]
    if here == " " { return ScalarClass.of(previous) == ScalarClass.letter }
    if previous == "\n", ScalarClass.of(here) != ScalarClass.space {
      let first = scalars.index(before: p)
      guard first > scalars.startIndex else { return false }
      return ScalarClass.of(scalars[scalars.index(before: first)]) != ScalarClass.space
    }
    return false
  }
}

extension BPETokenizer {
  /// Encodes the part of `text` from `start` that ends at the first safe cut (``SafeCuts``) at
  /// or after `length` scalars, or at the end; see ``Tokenizer/encodeIDs(_:from:length:)``.
  ///
  /// - Complexity: memory of the part, not of the text; a text with no safe cut (no space after
  ///   a letter, no lone newline) is one part.
  public func encodeIDs(_ text: String, from start: String.Index, length: Int) throws -> (
    ids: [Int32], end: String.Index
  ) {
    let view = text.unicodeScalars
    let first = start == view.startIndex
    guard cuts.enabled else {
      precondition(first, "a tokenizer without cut points encodes the whole text in one part")
      return (encode(scalars: Array(view), prefix: true, suffix: true).ids, view.endIndex)
    }
    var end = view.index(start, offsetBy: max(1, length), limitedBy: view.endIndex) ?? view.endIndex
    while end < view.endIndex && !cuts.allows(view, before: end) { end = view.index(after: end) }
    let last = end == view.endIndex
    return (encode(scalars: Array(view[start..<end]), prefix: first, suffix: last).ids, end)
  }
}
