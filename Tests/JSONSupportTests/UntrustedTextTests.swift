import Foundation
import JSONSupport
import Testing

/// ``UntrustedText``: the one way text from files reaches a message (issue #14, item 13).
@Suite struct UntrustedTextTests {
  @Test func printableTextIsKept() {
    #expect(
      UntrustedText.describe("model.layers.0.self_attn.q_proj.weight") == "model.layers.0.self_attn.q_proj.weight")
    #expect(UntrustedText.describe("ünïcödé 日本 🙂") == "ünïcödé 日本 🙂")
  }

  @Test func controlAndFormatCharactersAreEscaped() {
    #expect(UntrustedText.describe("a\nb\tc\r") == #"a\nb\tc\r"#)
    #expect(UntrustedText.describe("\u{1B}[31mred\u{1B}[0m") == #"\u{1B}[31mred\u{1B}[0m"#)
    #expect(UntrustedText.describe("x\u{0}y\u{7F}z\u{85}") == #"x\u{0}y\u{7F}z\u{85}"#)
    // Bidirectional overrides and separators could reorder or hide text on a terminal.
    #expect(UntrustedText.describe("a\u{202E}b\u{2028}c") == #"a\u{202E}b\u{2028}c"#)
  }

  @Test func longTextIsCutWithItsLength() {
    let text = String(repeating: "a", count: 5000)
    #expect(UntrustedText.describe(text, limit: 8) == "aaaaaaaa… (5000 bytes)")
    #expect(UntrustedText.describe("abc", limit: 3) == "abc")
    // An escape is never cut in half.
    #expect(UntrustedText.describe("ab\u{1B}", limit: 4) == "ab… (3 bytes)")
  }

  @Test func bytesAreDecodedLeniently() {
    #expect(UntrustedText.describe(bytes: [0x61, 0xFF, 0x62]) == "a\u{FFFD}b")
    let many = [UInt8](repeating: 0x41, count: 1_000_000)
    #expect(UntrustedText.describe(bytes: many, limit: 4) == "AAAA… (1000000 bytes)")
  }

  @Test func duplicateObjectMembersAreFound() throws {
    #expect(JSONValue.firstDuplicateKey(in: Data(#"{"a":1,"b":{"a":2},"c":[{"a":1},{"a":2}]}"#.utf8)) == nil)
    #expect(JSONValue.firstDuplicateKey(in: Data(#"{"a":1,"b":2,"a":3}"#.utf8)) == "a")
    #expect(JSONValue.firstDuplicateKey(in: Data(#"{"x":{"k":"a,\"k\"","k":1}}"#.utf8)) == "k")
    #expect(JSONValue.firstDuplicateKey(in: Data(#"{"a":1,"\u0061":2}"#.utf8)) == "a")
    #expect(throws: JSONError.self) { try JSONValue.parse(Data(#"{"a":1,"a":2}"#.utf8)) }
  }

  @Test func invalidJSONIsDescribedInWordsNotDumps() {
    do {
      _ = try JSONValue.parse(Data("{\"a\": \u{1B}}".utf8), document: "x.json")
      Issue.record("parsed")
    } catch {
      #expect(!error.description.contains("Context("))
      #expect(!error.description.unicodeScalars.contains { $0.value < 0x20 })
    }
  }
}
