import Foundation
import TestSupport
import Testing

@testable import Tokenizers

/// The hand-written scanners must give exactly the regex's matches (checked against ICU).
@Suite struct SplitScannerTests {
  static let texts: [String] = {
    var t = ((try? Fixtures.goldens("smollm2")) ?? []).map(\.text)
    t += [
      "a\t\tb", " \u{00A0}x", "x\u{3000}\u{3000}y", "'S 'LL 'Re", "ab'sx", "\r\n\r\n  x", " \n\t", "   !!", "\t(hello",
      " 1234567 ", "x \r\n", "  \r  \n  z", "٣٤٥٦", "'ſ", "a\u{2028}\u{2028}b",
    ]
    return t
  }()

  private func scan(_ rule: SplitRule, _ text: String) -> [String] {
    let scalars = Array(text.unicodeScalars)
    let classes = scalars.map(ScalarClass.of)
    var out: [Range<Int>] = []
    var scratch: [Int] = []
    scalars.withUnsafeBufferPointer { s in
      classes.withUnsafeBufferPointer { c in rule.split(s, c, 0..<scalars.count, into: &out, scratch: &scratch) }
    }
    return out.map { r in
      var v = String.UnicodeScalarView()
      v.append(contentsOf: scalars[r])
      return String(v)
    }
  }

  @Test(arguments: [SplitRule.gpt2Pattern, SplitRule.llama3Pattern, SplitRule.qwen2Pattern])
  func scannerMatchesICU(_ pattern: String) throws {
    let fast = try SplitRule.forPattern(pattern)
    let icu = SplitRule.regex(try NSRegularExpression(pattern: pattern))
    if case .regex = fast { Issue.record("pattern not recognised") }
    for text in Self.texts {
      let a = scan(fast, text)
      let b = scan(icu, text)
      #expect(a == b, "\(String(reflecting: text)): \(a) vs ICU \(b)")
    }
  }
}
