/// Hand-written scanners that return exactly the matches of the two common
/// byte-level BPE split regexes, over Unicode scalars (Swift's `Regex` is too slow).
///
/// Every scanner covers its input completely (each pattern ends in `\s+` and
/// has an alternative for every character class), so the matches are the pieces.
/// `scalars` and `classes` (``ScalarClass``) are parallel; the result is the end
/// index of each match, in order.
enum SplitScanners {
  private static let apostrophe: UInt32 = 0x27
  private static let space: UInt32 = 0x20
  private static let cr: UInt32 = 0x0D
  private static let lf: UInt32 = 0x0A

  /// GPT-2: `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`.
  static func gpt2(_ s: UnsafeBufferPointer<Unicode.Scalar>, _ c: UnsafeBufferPointer<UInt8>, _ ends: inout [Int]) {
    let n = s.count
    var i = 0
    while i < n {
      let e = gpt2Match(s, c, i, n)
      ends.append(e)
      i = e
    }
  }

  @inline(__always)
  private static func gpt2Match(
    _ s: UnsafeBufferPointer<Unicode.Scalar>, _ c: UnsafeBufferPointer<UInt8>, _ i: Int, _ n: Int
  ) -> Int {
    let v = s[i].value
    if v == apostrophe, let e = contraction(s, i, n, caseInsensitive: false) { return e }
    // ` ?X+` for X in letters, numbers, other.
    var j = i
    if v == space, i + 1 < n { j = i + 1 }
    let cj = c[j]
    if cj != ScalarClass.space && (j == i + 1 || c[i] != ScalarClass.space) {
      // (when j == i the scalar itself is not a space, so it starts a run of its class)
      var k = j + 1
      while k < n && c[k] == cj { k += 1 }
      return k
    }
    return whitespace(c, i, n)
  }

  /// `\s+(?!\S)|\s+` at a whitespace scalar.
  @inline(__always)
  private static func whitespace(_ c: UnsafeBufferPointer<UInt8>, _ i: Int, _ n: Int) -> Int {
    var k = i + 1
    while k < n && c[k] == ScalarClass.space { k += 1 }
    if k == n || k - 1 == i { return k }
    return k - 1
  }

  /// `'s|'t|'re|'ve|'m|'ll|'d` (optionally case-insensitive) at an apostrophe.
  @inline(__always)
  private static func contraction(_ s: UnsafeBufferPointer<Unicode.Scalar>, _ i: Int, _ n: Int, caseInsensitive: Bool)
    -> Int?
  {
    guard i + 1 < n else { return nil }
    func low(_ k: Int) -> UInt32 {
      let v = s[k].value
      guard caseInsensitive else { return v }
      if v >= 0x41 && v <= 0x5A { return v + 0x20 }
      if v == 0x17F { return 0x73 }  // ſ case-folds to s
      return v
    }
    let a = low(i + 1)
    switch a {
    case 0x73, 0x74, 0x6D, 0x64: return i + 2  // s t m d
    case 0x72, 0x76:  // re ve
      if i + 2 < n && low(i + 2) == 0x65 { return i + 3 }
    case 0x6C:  // ll
      if i + 2 < n && low(i + 2) == 0x6C { return i + 3 }
    default: break
    }
    return nil
  }

  /// Llama 3 (`maxDigits` 3) and Qwen 2 (`maxDigits` 1):
  /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`.
  static func llama3(
    _ s: UnsafeBufferPointer<Unicode.Scalar>, _ c: UnsafeBufferPointer<UInt8>, maxDigits: Int, _ ends: inout [Int]
  ) {
    let n = s.count
    var i = 0
    while i < n {
      let e = llama3Match(s, c, i, n, maxDigits)
      ends.append(e)
      i = e
    }
  }

  @inline(__always)
  private static func isNewline(_ v: UInt32) -> Bool { v == cr || v == lf }

  @inline(__always)
  private static func llama3Match(
    _ s: UnsafeBufferPointer<Unicode.Scalar>, _ c: UnsafeBufferPointer<UInt8>, _ i: Int, _ n: Int, _ maxDigits: Int
  ) -> Int {
    let v = s[i].value
    let ci = c[i]
    if v == apostrophe, let e = contraction(s, i, n, caseInsensitive: true) { return e }
    // [^\r\n\p{L}\p{N}]?\p{L}+
    if ci == ScalarClass.letter
      || (ci != ScalarClass.number && !isNewline(v) && i + 1 < n && c[i + 1] == ScalarClass.letter)
    {
      var k = i + 1
      while k < n && c[k] == ScalarClass.letter { k += 1 }
      return k
    }
    // \p{N}{1,3}
    if ci == ScalarClass.number {
      var k = i + 1
      while k < n && k - i < maxDigits && c[k] == ScalarClass.number { k += 1 }
      return k
    }
    //  ?[^\s\p{L}\p{N}]+[\r\n]*
    var j = i
    if v == space && i + 1 < n && c[i + 1] == ScalarClass.other { j = i + 1 }
    if c[j] == ScalarClass.other {
      var k = j + 1
      while k < n && c[k] == ScalarClass.other { k += 1 }
      while k < n && isNewline(s[k].value) { k += 1 }
      return k
    }
    // Whitespace: \s*[\r\n]+ (ends after the run's last CR/LF), else \s+(?!\S), else \s+.
    var k = i + 1
    while k < n && c[k] == ScalarClass.space { k += 1 }
    var p = k - 1
    while p >= i && !isNewline(s[p].value) { p -= 1 }
    if p >= i { return p + 1 }
    if k == n || k - 1 == i { return k }
    return k - 1
  }
}
