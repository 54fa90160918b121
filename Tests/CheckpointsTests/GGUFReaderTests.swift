import Checkpoints
import Foundation
import TestSupport
import Testing

/// The committed GGUF fixtures (`Tests/CheckpointsTests/Resources/gguf`), made by
/// `scripts/make_gguf_fixtures.py`.
private let ggufFixtures = Fixtures.resource("gguf", in: "CheckpointsTests")
private let ggufFixture = ggufFixtures.appendingPathComponent("fixture.gguf")

/// Golden values written by the fixture script with gguf-py.
private struct GGUFExpectedTensor: Decodable {
  var type: String
  var shape: [Int]
  var values: [Float]
}

private struct GGUFExpected: Decodable {
  var tensors: [String: GGUFExpectedTensor]
}

private func loadExpected() throws -> GGUFExpected {
  let data = try Data(contentsOf: ggufFixtures.appendingPathComponent("fixture_expected.json"))
  return try JSONDecoder().decode(GGUFExpected.self, from: data)
}

/// A scratch copy of the fixture with `edit` applied to its bytes.
private func patchedFixture(_ name: String, _ edit: (inout [UInt8]) -> Void) throws -> URL {
  var bytes = [UInt8](try Data(contentsOf: ggufFixture))
  edit(&bytes)
  let url = try ScratchDirectory("gguf").url("\(name).gguf")
  try Data(bytes).write(to: url)
  return url
}

/// Byte offset just past the first occurrence of `needle` in `bytes`.
private func offset(after needle: String, in bytes: [UInt8]) -> Int? {
  let pattern = Array(needle.utf8)
  guard bytes.count >= pattern.count else { return nil }
  for start in 0...(bytes.count - pattern.count)
  where bytes[start..<(start + pattern.count)].elementsEqual(pattern) {
    return start + pattern.count
  }
  return nil
}

private func writeLittleEndian<T: FixedWidthInteger>(_ value: T, into bytes: inout [UInt8], at position: Int) {
  withUnsafeBytes(of: value.littleEndian) { raw in
    for (i, byte) in raw.enumerated() { bytes[position + i] = byte }
  }
}

/// The ``CheckpointError`` `body` throws, or `nil` if it succeeds (other errors fail the test).
private func checkpointError(_ body: () throws -> Void) -> CheckpointError? {
  do {
    try body()
    return nil
  } catch let error as CheckpointError {
    return error
  } catch {
    Issue.record("expected a CheckpointError, got \(error)")
    return nil
  }
}

@Suite("GGUF reader")
struct GGUFReaderTests {
  static let tensorNames = [
    "t.f32", "t.f16", "t.bf16", "t.f64", "t.i8", "t.i16", "t.i32", "t.f32_3d",
    "t.q8_0", "t.q4_0", "t.q4_1", "t.q5_0", "t.q5_1",
    "t.q2_k", "t.q3_k", "t.q4_k", "t.q5_k", "t.q6_k", "t.q8_k",
  ]

  @Test func headerAndLayout() throws {
    let file = try GGUFFile(url: ggufFixture)
    #expect(file.version == 3)
    #expect(file.alignment == 64)
    #expect(file.dataOffset % 64 == 0)
    #expect(file.architecture == "llama")
    #expect(file.tensorNames == Self.tensorNames.sorted())
    #expect(file.tensors.map(\.name) == Self.tensorNames)
    for tensor in file.tensors {
      #expect(tensor.dataOffset % 64 == 0, "\(tensor.name) data is not aligned")
      #expect(tensor.type.canDequantize)
    }
    try file.validate()
  }

  @Test(arguments: tensorNames)
  func dequantizesLikeGGUFPy(name: String) throws {
    let expected = try #require(try loadExpected().tensors[name])
    let file = try GGUFFile(url: ggufFixture)
    let info = try #require(file.info(for: name))
    #expect(info.storedType == expected.type)
    #expect(info.shape == expected.shape)
    #expect(info.elementCount == expected.values.count)
    let values = try file.floats(name)
    let match = closeness(values, expected.values)
    #expect(values.count == expected.values.count)
    #expect(match.maxDiff == 0, "\(name) (\(expected.type)): \(match)")
  }

  @Test func shapesAreRowMajorOutermostFirst() throws {
    let file = try GGUFFile(url: ggufFixture)
    #expect(file.info(for: "t.f32_3d")?.shape == [2, 3, 4])
    #expect(file.info(for: "t.q4_k")?.shape == [3, 512])
    #expect(file.info(for: "t.i16")?.shape == [7])
    #expect(file.info(for: "nope") == nil)
  }

  @Test func metadataRoundTrips() throws {
    let m = try GGUFFile(url: ggufFixture).metadata
    #expect(m["test.uint8"] == .uint8(200))
    #expect(m["test.int8"] == .int8(-100))
    #expect(m["test.uint16"] == .uint16(60000))
    #expect(m["test.int16"] == .int16(-30000))
    #expect(m["test.uint32"] == .uint32(4_000_000_000))
    #expect(m["test.int32"] == .int32(-2_000_000_000))
    #expect(m["test.float32"] == .float32(0.15625))
    #expect(m["test.uint64"] == .uint64(1 << 63 + 5))
    #expect(m["test.int64"] == .int64(-(1 << 40)))
    #expect(m["test.float64"] == .float64(3.141592653589793))
    #expect(m["test.bool"] == .bool(true))
    #expect(m["test.string"] == .string("héllo ✓ GGUF"))
    #expect(m["test.empty_string"] == .string(""))
    #expect(m["test.string_array"]?.stringArray == ["alpha", "", "ünïcode", "Ġthe"])
    #expect(m["test.int32_array"] == .array([.int32(1), .int32(-2), .int32(3), .int32(2_147_483_647)]))
    #expect(m["test.float32_array"]?.floatArray == [0.5, -1.25, 1e-3])
    #expect(m["test.bool_array"] == .array([.bool(true), .bool(false), .bool(true)]))
    #expect(m["test.uint8_array"]?.intArray == [0, 1, 255])
    #expect(
      m["test.nested"]
        == .array([
          .array([.int32(1), .int32(2), .int32(3)]), .array([.int32(4)]),
          .array([.string("x"), .string("y")]),
        ]))
    #expect(m["general.alignment"] == .uint32(64))
    // Accessors widen across integer and float widths, and refuse other types.
    #expect(m["test.uint32"]?.intValue == 4_000_000_000)
    #expect(m["test.uint64"]?.intValue == nil)
    #expect(m["test.int16"]?.floatValue == -30000)
    #expect(m["test.float64"]?.floatValue == Float(3.141592653589793))
    #expect(m["test.string"]?.intValue == nil)
    #expect(m["test.int32_array"]?.int32Array == [1, -2, 3, 2_147_483_647])
    #expect(m["test.string_array"]?.intArray == nil)
    #expect(m["test.nested"]?.typeName == "array[array[int32]]")
  }

  @Test func typedMetadataHelpers() throws {
    let file = try GGUFFile(url: ggufFixture)
    #expect(try file.requiredInt("llama.block_count") == 2)
    #expect(try file.requiredInt("llama.context_length") == 128)
    #expect(try file.requiredFloat("llama.rope.freq_base") == 10000)
    #expect(try file.requiredDouble("test.float64") == 3.141592653589793)
    #expect(try file.requiredString("general.architecture") == "llama")
    #expect(try file.requiredBool("test.bool"))
    #expect(try file.requiredStringArray("test.string_array").count == 4)
    #expect(try file.requiredInt32Array("test.int32_array") == [1, -2, 3, 2_147_483_647])
    #expect(try file.requiredFloatArray("test.float32_array") == [0.5, -1.25, 1e-3])
    #expect(try file.optionalInt("llama.missing") == nil)
    #expect(try file.optionalString("test.string") == "héllo ✓ GGUF")

    let missing = checkpointError { _ = try file.requiredInt("llama.missing") }
    guard case .invalidConfig(_, let field, let detail) = missing else {
      Issue.record("expected invalidConfig, got \(String(describing: missing))")
      return
    }
    #expect(field == "llama.missing")
    #expect(detail.contains("missing"))

    let wrongType = checkpointError { _ = try file.requiredInt("test.string") }
    guard case .invalidConfig(_, let field2, let detail2) = wrongType else {
      Issue.record("expected invalidConfig, got \(String(describing: wrongType))")
      return
    }
    #expect(field2 == "test.string")
    #expect(detail2.contains("string"))
    #expect(checkpointError { _ = try file.optionalBool("test.uint8") } != nil)
  }

  @Test func missingTensorIsReported() throws {
    let file = try GGUFFile(url: ggufFixture)
    #expect(
      checkpointError { _ = try file.floats("nope") }
        == .missingTensor(name: "nope", file: ggufFixture))
  }

  @Test func rawBytesAreTheStoredBlocks() throws {
    let file = try GGUFFile(url: ggufFixture)
    let count = try file.withRawBytes(of: "t.q4_k") { $0.count }
    #expect(count == 6 * 144)
    #expect(file.tensor(named: "t.q4_k")?.byteCount == 6 * 144)
  }

  /// Cutting the file anywhere gives `.truncated` or `.malformedHeader`, never a crash;
  /// cuts inside the tensor data give `.truncated` naming the tensor.
  @Test func truncatedFilesAreRejected() throws {
    let whole = [UInt8](try Data(contentsOf: ggufFixture))
    let file = try GGUFFile(url: ggufFixture)
    let dataOffset = file.dataOffset
    // The writer pads after the last tensor, so cut relative to where its data ends.
    let dataEnd = file.tensors.map { $0.dataOffset + ($0.byteCount ?? 0) }.max() ?? whole.count
    var cuts = Array(stride(from: 0, to: dataOffset, by: 5))
    cuts += [dataOffset, dataOffset + 1, dataEnd - 300, dataEnd - 1]
    for cut in cuts {
      let url = try patchedFixture("cut\(cut)") { $0.removeSubrange(cut...) }
      let error = checkpointError { _ = try GGUFFile(url: url) }
      switch error {
      case .truncated(_, let detail)?:
        if cut >= dataOffset { #expect(detail.contains("data of tensor"), "cut \(cut): \(detail)") }
      case .malformedHeader?:
        #expect(cut < dataOffset, "cut \(cut) inside the data should read as truncated")
      default:
        Issue.record("cut at \(cut) of \(whole.count): expected truncated, got \(String(describing: error))")
      }
    }
  }

  @Test func unknownQuantTypeListsButDoesNotRead() throws {
    let url = try patchedFixture("type99") { bytes in
      // Tensor info: name, u32 n_dims (2), 2 × u64 ne, u32 type, u64 offset.
      guard let end = offset(after: "t.q4_k", in: bytes) else { return }
      writeLittleEndian(UInt32(99), into: &bytes, at: end + 4 + 16)
    }
    let file = try GGUFFile(url: url)
    #expect(file.info(for: "t.q4_k")?.storedType == "type 99")
    #expect(file.tensor(named: "t.q4_k")?.byteCount == nil)
    let expectedError = CheckpointError.unsupportedDType(file: url, tensor: "t.q4_k", dtype: "type 99")
    #expect(checkpointError { _ = try file.floats("t.q4_k") } == expectedError)
    #expect(checkpointError { try file.validate() } == expectedError)
    #expect(try file.floats("t.q4_1").count == 4 * 96)
  }

  @Test func knownButUnsupportedTypeNamesTheType() throws {
    let url = try patchedFixture("iq2xxs") { bytes in
      guard let end = offset(after: "t.q4_k", in: bytes) else { return }
      writeLittleEndian(UInt32(16), into: &bytes, at: end + 4 + 16)  // IQ2_XXS, 66 bytes/block
    }
    let file = try GGUFFile(url: url)
    #expect(file.info(for: "t.q4_k")?.storedType == "IQ2_XXS")
    #expect(
      checkpointError { _ = try file.floats("t.q4_k") }
        == .unsupportedDType(file: url, tensor: "t.q4_k", dtype: "IQ2_XXS"))
  }

  @Test func versionOneIsRejectedAndVersionTwoReads() throws {
    let v1 = try patchedFixture("v1") { writeLittleEndian(UInt32(1), into: &$0, at: 4) }
    let error = checkpointError { _ = try GGUFFile(url: v1) }
    guard case .malformedHeader(_, let detail)? = error else {
      Issue.record("expected malformedHeader, got \(String(describing: error))")
      return
    }
    #expect(detail.contains("version 1"))

    let v2 = try patchedFixture("v2") { writeLittleEndian(UInt32(2), into: &$0, at: 4) }
    let file = try GGUFFile(url: v2)
    #expect(file.version == 2)
    #expect(try file.floats("t.q6_k").count == 3 * 512)
  }

  @Test func corruptHeadersAreMalformed() throws {
    let cases: [(String, (inout [UInt8]) -> Void)] = [
      ("magic", { $0[0] = UInt8(ascii: "X") }),
      ("version", { writeLittleEndian(UInt32(7), into: &$0, at: 4) }),
      ("tensor-count", { writeLittleEndian(UInt64.max, into: &$0, at: 8) }),
      ("key-count", { writeLittleEndian(UInt64(1) << 62, into: &$0, at: 16) }),
      ("key-length", { writeLittleEndian(UInt64.max - 3, into: &$0, at: 24) }),
      (
        "array-count",
        { bytes in
          // Key, then u32 type (9 = array), u32 element type, u64 count.
          guard let end = offset(after: "test.string_array", in: bytes) else { return }
          writeLittleEndian(UInt64(1) << 60, into: &bytes, at: end + 8)
        }
      ),
      (
        "value-type",
        { bytes in
          guard let end = offset(after: "test.uint8", in: bytes) else { return }
          writeLittleEndian(UInt32(77), into: &bytes, at: end)
        }
      ),
      (
        "n-dims",
        { bytes in
          guard let end = offset(after: "t.f32_3d", in: bytes) else { return }
          writeLittleEndian(UInt32(9), into: &bytes, at: end)
        }
      ),
      (
        "alignment",
        { bytes in
          // general.alignment: key, u32 type (4 = uint32), u32 value.
          guard let end = offset(after: "general.alignment", in: bytes) else { return }
          writeLittleEndian(UInt32(48), into: &bytes, at: end + 4)
        }
      ),
    ]
    for (name, edit) in cases {
      let url = try patchedFixture(name, edit)
      let error = checkpointError { _ = try GGUFFile(url: url) }
      guard case .malformedHeader? = error else {
        Issue.record("\(name): expected malformedHeader, got \(String(describing: error))")
        continue
      }
    }
  }

  @Test func emptyFileAndDirectory() throws {
    let empty = try patchedFixture("empty") { $0 = [] }
    guard case .truncated? = checkpointError({ _ = try GGUFFile(url: empty) }) else {
      Issue.record("empty file should be truncated")
      return
    }
    guard case .unreadable? = checkpointError({ _ = try GGUFFile(url: ggufFixtures) }) else {
      Issue.record("a directory should be unreadable")
      return
    }
  }

  @Test func valueDescriptionsAreShort() throws {
    let m = try GGUFFile(url: ggufFixture).metadata
    #expect(m["test.uint8"]?.description == "200")
    #expect(m["test.string_array"]?.description == #"["alpha", "", "ünïcode", "Ġthe"]"#)
    let long = GGUFValue.array((0..<100).map { .int32(Int32($0)) })
    #expect(long.description == "[0, 1, 2, ...] (100 × int32)")
  }
}
