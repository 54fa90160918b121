import Checkpoints
import Foundation
import TestSupport
import Testing

/// A safetensors file: the 8-byte header length (`declaredLength`, default the JSON's), the JSON,
/// then `dataBytes` zero bytes.
private func safetensors(_ json: String, dataBytes: Int, declaredLength: UInt64? = nil) throws -> URL {
  var data = Data()
  withUnsafeBytes(of: (declaredLength ?? UInt64(json.utf8.count)).littleEndian) { data.append(contentsOf: $0) }
  data.append(contentsOf: Array(json.utf8))
  data.append(Data(count: dataBytes))
  let url = try ScratchDirectory("hostile-safetensors").url("model.safetensors")
  try data.write(to: url)
  return url
}

/// The error opening `url` as safetensors gives (a test failure when it opens).
private func safetensorsError(_ url: URL) -> CheckpointError? {
  do {
    _ = try SafetensorsFile(url)
    Issue.record("the file opened")
    return nil
  } catch {
    return error
  }
}

/// A message is one bounded line without control characters.
func expectSafeMessage(_ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
  #expect(message.utf8.count < 2000, "message of \(message.utf8.count) bytes", sourceLocation: sourceLocation)
  let controls = message.unicodeScalars.filter { $0.value < 0x20 || (0x7F..<0xA0).contains($0.value) }
  #expect(controls.isEmpty, "control characters in \(message.debugDescription)", sourceLocation: sourceLocation)
}

/// Checkpoint headers a hostile or damaged file could carry (issue #14, items 3, 9 and 13): each
/// gives a clear error, never a trap, a huge allocation or a message full of raw bytes.
@Suite struct HostileInputTests {
  @Test func safetensorsHeaderLengthOf2To63IsTruncatedNotATrap() throws {
    let url = try safetensors("{}", dataBytes: 8, declaredLength: 1 << 63)
    guard case .truncated(_, let detail) = safetensorsError(url) else { return }
    #expect(detail.contains("9223372036854775808"))
  }

  @Test func safetensorsShapeWhoseElementCountOverflowsIsMalformed() throws {
    let url = try safetensors(
      #"{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}"#, dataBytes: 4)
    guard case .malformedHeader(_, let detail) = safetensorsError(url) else { return }
    #expect(detail.contains("too large"))
  }

  @Test func safetensorsDuplicateTensorNamesAreRejected() throws {
    let url = try safetensors(
      #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
      dataBytes: 8)
    guard case .malformedHeader(_, let detail) = safetensorsError(url) else { return }
    #expect(detail.contains("twice"))
  }

  @Test func safetensorsOverlappingDataRangesAreRejected() throws {
    let url = try safetensors(
      #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
      dataBytes: 12)
    guard case .malformedHeader(_, let detail) = safetensorsError(url) else { return }
    #expect(detail.contains("overlap"))
  }

  @Test func safetensorsRangePastTheEndIsTruncated() throws {
    let url = try safetensors(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, dataBytes: 4)
    guard case .truncated = safetensorsError(url) else {
      Issue.record("expected truncated")
      return
    }
  }

  @Test(arguments: ["[2.5]", "[\"2\"]", "[-1]", "[1e300]", "3"])
  func safetensorsNonIntegerShapesAreRejected(shape: String) throws {
    let url = try safetensors(#"{"a":{"dtype":"F32","shape":\#(shape),"data_offsets":[0,8]}}"#, dataBytes: 8)
    guard case .malformedHeader(_, let detail) = safetensorsError(url) else { return }
    #expect(detail.contains("shape must be an array of non-negative integers"))
  }

  @Test func emptyTensorsMayShareAnOffset() throws {
    let url = try safetensors(
      #"{"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
      dataBytes: 4)
    let file = try SafetensorsFile(url)
    #expect(file.tensorNames == ["a", "b"])
  }

  @Test func safetensorsNamesWithTerminalEscapesAreEscapedInMessages() throws {
    // JSON escapes: the header is valid JSON whose tensor name holds ESC and BEL.
    let name = #"evil\u001b[2J\u0007"# + String(repeating: "x", count: 40_000)
    let url = try safetensors(#"{"\#(name)":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, dataBytes: 4)
    let message = try #require(safetensorsError(url)).description
    expectSafeMessage(message)
    #expect(message.contains(#"evil\u{1B}[2J\u{7}"#))
  }

  @Test func ggufTensorNameOfBinaryBytesIsCutAndEscaped() throws {
    var builder = GGUFBuilder()
    let binary = String(decoding: (0..<34_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }, as: UTF8.self)
    builder.tensors = [(name: binary, dims: [1_000_000], values: [])]
    let url = try ScratchDirectory("hostile-gguf").url("model.gguf")
    try builder.bytes().write(to: url)
    do {
      _ = try GGUFFile(url: url)
      Issue.record("the file opened")
    } catch {
      expectSafeMessage(error.description)
      #expect(error.description.contains("runs past the end of the file"))
    }
  }

  @Test func ggufStringValuesAreEscapedInDescriptions() {
    let value = GGUFValue.string("a\u{1B}]0;title\u{07}b")
    #expect(value.description == #""a\u{1B}]0;title\u{7}b""#)
  }
}
