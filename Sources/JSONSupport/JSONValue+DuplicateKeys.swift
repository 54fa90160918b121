import Foundation

extension JSONValue {
  /// The first object member name that occurs twice in the same object of the JSON text
  /// `data`, or `nil` when every object's names are unique.
  ///
  /// `JSONDecoder` silently keeps one of two equal names; formats where a repeated name means a
  /// damaged or hostile file (a safetensors header naming one tensor twice) check with this
  /// first. Call it on text that parsed as JSON; on other bytes it still returns, with no
  /// meaningful answer. Names are compared after unescaping (`"a"` equals `"\u0061"`).
  ///
  /// - Complexity: O(bytes) plus the hashing of the names.
  public static func firstDuplicateKey(in data: Data) -> String? {
    let quote = UInt8(ascii: "\"")
    let backslash = UInt8(ascii: "\\")
    return data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> String? in
      // One entry per open container: the names seen so far for an object, nil for an array.
      var open: [Set<String>?] = []
      var expectingName = false
      var i = 0
      while i < bytes.count {
        switch bytes[i] {
        case UInt8(ascii: "{"):
          open.append([])
          expectingName = true
        case UInt8(ascii: "["):
          open.append(nil)
          expectingName = false
        case UInt8(ascii: "}"), UInt8(ascii: "]"):
          if !open.isEmpty { open.removeLast() }
          expectingName = false
        case UInt8(ascii: ","):
          if let last = open.last { expectingName = last != nil }
        case quote:
          let start = i + 1
          var hasEscape = false
          i += 1
          while i < bytes.count, bytes[i] != quote {
            if bytes[i] == backslash {
              hasEscape = true
              i += 1
            }
            i += 1
          }
          if expectingName, let last = open.indices.last, var names = open[last] {
            let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<min(i, bytes.count)])
            let name = hasEscape ? unescaped(raw) : String(decoding: raw, as: UTF8.self)
            if !names.insert(name).inserted { return name }
            open[last] = names
            expectingName = false
          }
        default:
          break
        }
        i += 1
      }
      return nil
    }
  }

  /// The string a JSON string literal's inside (`raw`, without quotes) stands for.
  private static func unescaped(_ raw: UnsafeRawBufferPointer) -> String {
    var literal = Data("[\"".utf8)
    literal.append(contentsOf: raw)
    literal.append(contentsOf: Array("\"]".utf8))
    return (try? JSONDecoder().decode([String].self, from: literal).first) ?? String(decoding: raw, as: UTF8.self)
  }
}
