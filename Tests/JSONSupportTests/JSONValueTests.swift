import Foundation
import JSONSupport
import Testing

/// `JSONValue` parses, reports paths, and writes deterministic text.
@Suite struct JSONValueTests {
  let document = Data(
    #"{"model": {"vocab": {"a": 0, "b": 1.0}, "merges": ["a b", 3], "dropout": null}, "ok": true}"#.utf8)

  @Test func optionalAccessors() throws {
    let root = try JSONValue.parse(document)
    #expect(root["model"]?["vocab"]?["b"]?.intValue == 1)
    #expect(root["model"]?["vocab"]?.objectValue?.count == 2)
    #expect(root["model"]?["merges"]?.arrayValue?.first?.stringValue == "a b")
    #expect(root["model"]?["merges"]?.intArrayValue == nil)
    #expect(JSONValue.array([1, 2.0, -3]).intArrayValue == [1, 2, -3])
    #expect(JSONValue.number(1.5).intValue == nil)
    #expect(root["model"]?["dropout"]?.isNull == true)
    #expect(root["ok"]?.boolValue == true)
    #expect(root["missing"] == nil)
    #expect(JSONValue.string("x")["key"] == nil)
  }

  @Test func elementsNameTheirPath() throws {
    let root = try JSONElement.parse(document, document: "t.json")
    let model = try root.required("model")
    #expect(model.path == "model")
    #expect(try model.optional("dropout") == nil)
    let vocab = try model.required("vocab").members()
    #expect(vocab.map(\.key) == ["a", "b"])
    #expect(try vocab.map { try $0.element.int() } == [0, 1])
    let merges = try model.required("merges").array()
    #expect(merges[1].path == "model.merges[1]")
    #expect(
      throws: JSONError(
        document: "t.json", path: "model.merges[1]", problem: .typeMismatch(expected: "a string", found: "a number"))
    ) {
      try merges[1].string()
    }
    #expect(throws: JSONError(document: "t.json", path: "model.type", problem: .missing)) { try model.required("type") }
    #expect(
      throws: JSONError(
        document: "t.json", path: "ok", problem: .typeMismatch(expected: "an object", found: "a boolean"))
    ) {
      try root.required("ok").optional("x")
    }
    #expect(try model.bool("byte_fallback", default: false) == false)
    let error = JSONError(document: "t.json", path: "model.type", problem: .missing)
    #expect(error.description == "t.json: `model.type`: required field is missing")
  }

  @Test func invalidDocumentIsReportedAtRoot() {
    do {
      _ = try JSONElement.parse(Data("{not json".utf8), document: "t.json")
      Issue.record("no error")
    } catch {
      #expect(error.path == "$" && error.document == "t.json")
      guard case .invalidJSON = error.problem else {
        Issue.record("expected invalidJSON, got \(error.problem)")
        return
      }
    }
  }

  @Test func serializesSortedAndRoundTrips() throws {
    let value: JSONValue = [
      "b": [1, 2.5, "x/y", "quote\"\n\u{1}"], "a": .null, "c": ["nested": true, "empty": [:], "list": []],
      "eps": JSONValue(Float(1e-5)), "theta": JSONValue(Float(500000)), "big": JSONValue(49152),
    ]
    let compact = String(decoding: value.serialized(), as: UTF8.self)
    #expect(
      compact
        == #"{"a":null,"b":[1,2.5,"x/y","quote\"\n\u0001"],"big":49152,"c":{"empty":{},"list":[],"nested":true},"eps":1e-05,"theta":500000}"#
    )
    #expect(try JSONValue.parse(value.serialized()) == value)
    #expect(try JSONValue.parse(value.serialized(pretty: true)) == value)
    let small: JSONValue = ["k": [1]]
    #expect(String(decoding: small.serialized(pretty: true), as: UTF8.self) == "{\n  \"k\": [\n    1\n  ]\n}\n")
    #expect(try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value)) == value)
  }
}
