/// One entry of tokenizer.json's `added_tokens`: matched in the raw text before any splitting.
struct AddedToken: Sendable {
  var id: Int32
  var content: String
  var special: Bool
  var lstrip: Bool
  var rstrip: Bool
  var singleWord: Bool
  var normalized: Bool
}

/// Finds added tokens in text: leftmost match first, longest at a position (HF's `LeftmostLongest`),
/// absorbing whitespace on the left (`lstrip`) or right (`rstrip`), and honouring `single_word`.
struct AddedTokenMatcher: Sendable {
  private let tokens: [(scalars: [Unicode.Scalar], token: AddedToken)]
  /// Indexes into `tokens` by first scalar, longest first.
  private let byFirst: [UInt32: [Int]]

  init(_ added: [AddedToken]) {
    let list = added.filter { !$0.content.isEmpty }.map { (Array($0.content.unicodeScalars), $0) }
    var index: [UInt32: [Int]] = [:]
    for (k, t) in list.enumerated() { index[t.0[0].value, default: []].append(k) }
    for key in index.keys { index[key]!.sort { list[$0].0.count > list[$1].0.count } }
    tokens = list
    byFirst = index
  }

  var isEmpty: Bool { tokens.isEmpty }

  /// A match: the token id and the scalar range it consumes (stripped whitespace included).
  struct Match {
    var id: Int32
    var range: Range<Int>
  }

  /// All non-overlapping matches in `s`, left to right.
  func matches(in s: [Unicode.Scalar]) -> [Match] {
    guard !tokens.isEmpty else { return [] }
    var out: [Match] = []
    var i = 0
    var floor = 0  // lstrip may not reach into a previous match
    let n = s.count
    while i < n {
      guard let candidates = byFirst[s[i].value] else {
        i += 1
        continue
      }
      var found: Match?
      for k in candidates {
        let (pattern, token) = tokens[k]
        guard i + pattern.count <= n else { continue }
        var ok = true
        for (j, p) in pattern.enumerated() where s[i + j] != p {
          ok = false
          break
        }
        guard ok else { continue }
        let end = i + pattern.count
        if token.singleWord {
          let before = i > 0 && isWordScalar(s[i - 1])
          let after = end < n && isWordScalar(s[end])
          if before || after { continue }
        }
        var lo = i
        var hi = end
        if token.lstrip { while lo > floor && s[lo - 1].properties.isWhitespace { lo -= 1 } }
        if token.rstrip { while hi < n && s[hi].properties.isWhitespace { hi += 1 } }
        found = Match(id: token.id, range: lo..<hi)
        break
      }
      if let m = found {
        out.append(m)
        i = m.range.upperBound
        floor = i
      } else {
        i += 1
      }
    }
    return out
  }

  private func isWordScalar(_ s: Unicode.Scalar) -> Bool {
    let c = ScalarClass.of(s)
    return c == ScalarClass.letter || c == ScalarClass.number || s == "_"
  }
}
