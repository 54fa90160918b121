import Autoencoders
import Foundation
import HookPoints
import Studies
import Testing

/// Paths, names and keys from files and flags reach messages escaped and cut (RELIABILITY.md,
/// "Error messages"): a terminal escape or a newline in a task name, a path or a hook name
/// never appears raw.
@Suite struct UntrustedMessageTests {
  static let hostile = "evil\u{1B}[2J\nname" + String(repeating: "x", count: 5000)

  func expectSafe(_ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(!message.unicodeScalars.contains { $0.value < 0x20 }, "\(message.debugDescription)", sourceLocation: sourceLocation)
    #expect(message.contains("\\u{1B}"), sourceLocation: sourceLocation)
    #expect(message.utf8.count < 2000, sourceLocation: sourceLocation)
  }

  @Test func iclErrors() {
    expectSafe(ICLError.unknownTask(name: Self.hostile, available: [Self.hostile], searched: [Self.hostile]).description)
    expectSafe(ICLError.malformedLine(path: Self.hostile, line: 3, reason: Self.hostile).description)
    expectSafe(ICLError.unknownTemplateKey(path: "t.json", key: Self.hostile, suggestion: Self.hostile).description)
  }

  @Test func autoencoderErrors() {
    expectSafe(AutoencoderError.invalidConfiguration(key: Self.hostile, reason: "bad").description)
    expectSafe(AutoencoderError.unreadable(file: URL(fileURLWithPath: "/tmp/" + Self.hostile), reason: "gone").description)
    expectSafe(AutoencoderError.widthMismatch(expected: 3, found: 4, what: Self.hostile).description)
  }

  @Test func evaluationCodeAndExportErrors() {
    expectSafe(EvaluationError.hookNotInFeatures(hook: Self.hostile, features: Self.hostile, available: [Self.hostile]).description)
    expectSafe(CodeError.invalidHook(name: Self.hostile, reason: "bad").description)
    expectSafe(SAELensError.missingTensor(name: Self.hostile, file: URL(fileURLWithPath: "/tmp/cfg")).description)
  }

  @Test func hookErrors() {
    expectSafe(HookError.unknownName(Self.hostile).description)
    expectSafe(HookError.layerOutOfRange(name: Self.hostile, layer: 99, layerCount: 4).description)
  }
}
