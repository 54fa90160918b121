import Foundation

/// The promise every error message keeps (RELIABILITY.md, "Error messages"): one line, bounded
/// length, no control characters from the input, and no Swift debug dumps of internal values.
enum MessageCheck {
  /// Longest message accepted; untrusted fields are cut to far less than this.
  static let maximumLength = 4096
  /// Fragments of `String(reflecting:)` output that must never reach a user.
  static let debugDumpMarkers = ["Context(codingPath", "CodingKeys(", "JSONValue.", "Optional(", "_JSONKey("]

  /// Traps (a fuzz finding) when `error`'s description breaks the promise.
  static func check(_ error: any Error) {
    let message = String(describing: error)
    #if !BAE_FUZZING
      // A replay shows what each input provoked.
      FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    #endif
    precondition(message.utf8.count <= maximumLength, "message of \(message.utf8.count) bytes")
    for scalar in message.unicodeScalars {
      precondition(
        scalar.value >= 0x20 && scalar.value != 0x7F && !(0x80..<0xA0).contains(scalar.value),
        "control character U+\(String(scalar.value, radix: 16)) in message: \(message.debugDescription)")
    }
    for marker in debugDumpMarkers {
      precondition(!message.contains(marker), "Swift debug dump in message: \(message.debugDescription)")
    }
  }
}
