import Foundation
import JSONSupport

/// A split rule of a `Split` pre-tokenizer (or of ByteLevel's built-in regex).
enum SplitRule: @unchecked Sendable {
  /// GPT-2's pattern, scanned by hand.
  case gpt2
  /// Llama 3's pattern (`maxDigits` 3) or Qwen 2's (`maxDigits` 1), scanned by hand.
  case llama3(maxDigits: Int)
  /// Any other pattern, run by ICU through `NSRegularExpression` (immutable, so safe to share).
  case regex(NSRegularExpression)

  static let gpt2Pattern = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
  static let llama3Pattern =
    #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
  static let qwen2Pattern =
    #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

  /// The rule for a pattern: a hand scanner when the pattern is a known one, else ICU.
  static func forPattern(_ pattern: String) throws -> SplitRule {
    switch pattern {
    case gpt2Pattern: return .gpt2
    case llama3Pattern: return .llama3(maxDigits: 3)
    case qwen2Pattern: return .llama3(maxDigits: 1)
    default:
      return .regex(try NSRegularExpression(pattern: pattern))
    }
  }

  /// The regex source, for writing tokenizer.json.
  var pattern: String {
    switch self {
    case .gpt2: return Self.gpt2Pattern
    case .llama3(let d): return d == 3 ? Self.llama3Pattern : Self.qwen2Pattern
    case .regex(let r): return r.pattern
    }
  }

  /// Splits `scalars[range]` into pieces ("Isolated": matches and the gaps between them), appended to `out`.
  func split(
    _ scalars: UnsafeBufferPointer<Unicode.Scalar>, _ classes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>,
    into out: inout [Range<Int>], scratch: inout [Int]
  ) {
    scratch.removeAll(keepingCapacity: true)
    let s = UnsafeBufferPointer(rebasing: scalars[range])
    let c = UnsafeBufferPointer(rebasing: classes[range])
    switch self {
    case .gpt2:
      SplitScanners.gpt2(s, c, &scratch)
    case .llama3(let d):
      SplitScanners.llama3(s, c, maxDigits: d, &scratch)
    case .regex(let regex):
      var text = String.UnicodeScalarView()
      text.append(contentsOf: s)
      let string = String(text)
      // UTF-16 offset → scalar index.
      var utf16ToScalar: [Int] = []
      utf16ToScalar.reserveCapacity(s.count + 1)
      for (k, scalar) in s.enumerated() {
        utf16ToScalar.append(k)
        if scalar.value > 0xFFFF { utf16ToScalar.append(k) }
      }
      utf16ToScalar.append(s.count)
      var last = 0
      let ns = string as NSString
      for m in regex.matches(in: string, range: NSRange(location: 0, length: ns.length)) where m.range.length > 0 {
        let a = utf16ToScalar[m.range.location]
        let b = utf16ToScalar[m.range.location + m.range.length]
        if a > last { scratch.append(a) }
        scratch.append(b)
        last = b
      }
      if last < s.count { scratch.append(s.count) }
    }
    var start = range.lowerBound
    for e in scratch {
      out.append(start..<(range.lowerBound + e))
      start = range.lowerBound + e
    }
  }
}

/// The pre-tokenizer pipeline of a byte-level BPE tokenizer.
indirect enum PreTokenizer: Sendable {
  /// `ByteLevel`: optionally split with GPT-2's regex; the byte mapping itself happens in the model.
  case byteLevel(useRegex: Bool)
  /// `Split` with behaviour `Isolated`.
  case split(SplitRule)
  /// `Digits`: each number character alone (`individual`) or runs of them.
  case digits(individual: Bool)
  /// `Sequence`: each step splits every piece of the previous one.
  case sequence([PreTokenizer])

  /// True when a `ByteLevel` step is part of the pipeline.
  var containsByteLevel: Bool {
    switch self {
    case .byteLevel: return true
    case .sequence(let steps): return steps.contains { $0.containsByteLevel }
    default: return false
    }
  }

  /// Applies the pipeline to the pieces in `pieces`, replacing them with the finer split.
  func apply(
    _ scalars: UnsafeBufferPointer<Unicode.Scalar>, _ classes: UnsafeBufferPointer<UInt8>,
    pieces: inout [Range<Int>], buffer: inout [Range<Int>], scratch: inout [Int]
  ) {
    switch self {
    case .sequence(let steps):
      for step in steps { step.apply(scalars, classes, pieces: &pieces, buffer: &buffer, scratch: &scratch) }
      return
    case .byteLevel(let useRegex):
      guard useRegex else { return }
      buffer.removeAll(keepingCapacity: true)
      for p in pieces { SplitRule.gpt2.split(scalars, classes, p, into: &buffer, scratch: &scratch) }
    case .split(let rule):
      buffer.removeAll(keepingCapacity: true)
      for p in pieces { rule.split(scalars, classes, p, into: &buffer, scratch: &scratch) }
    case .digits(let individual):
      buffer.removeAll(keepingCapacity: true)
      for p in pieces {
        var start = p.lowerBound
        var k = p.lowerBound
        while k < p.upperBound {
          if classes[k] == ScalarClass.number {
            if k > start { buffer.append(start..<k) }
            var e = k + 1
            if !individual { while e < p.upperBound && classes[e] == ScalarClass.number { e += 1 } }
            buffer.append(k..<e)
            start = e
            k = e
          } else {
            k += 1
          }
        }
        if start < p.upperBound { buffer.append(start..<p.upperBound) }
      }
    }
    swap(&pieces, &buffer)
  }

  /// The tokenizer.json form of this pipeline.
  var json: JSONValue {
    switch self {
    case .byteLevel(let useRegex):
      ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": .bool(useRegex)]
    case .split(let rule):
      ["type": "Split", "pattern": ["Regex": .string(rule.pattern)], "behavior": "Isolated", "invert": false]
    case .digits(let individual):
      ["type": "Digits", "individual_digits": .bool(individual)]
    case .sequence(let steps):
      ["type": "Sequence", "pretokenizers": .array(steps.map(\.json))]
    }
  }
}
