import Foundation
import JSONSupport

/// The parsed front matter of a GGUF file: everything before the tensor data.
struct GGUFHeader {
  var version: Int
  var metadata: [String: GGUFValue]
  var metadataKeys: [String]
  var tensors: [GGUFTensorInfo]
  var alignment: Int
  var dataOffset: Int
}

/// Parses GGUF v2/v3 headers from mapped bytes, checking every length against the file size.
///
/// Layout (little-endian): `"GGUF"`, `u32 version`, `u64 tensor_count`, `u64 kv_count`,
/// `kv_count × (string key, u32 type, value)`,
/// `tensor_count × (string name, u32 n_dims, n_dims × u64 ne, u32 ggml_type, u64 offset)`,
/// padding to `general.alignment` (default 32), then the tensor data.
/// Strings are a `u64` byte length followed by UTF-8 bytes.
/// Reference: ggml `docs/gguf.md` and `ggml/src/gguf.cpp`.
struct GGUFParser {
  /// The GGUF magic, `"GGUF"` read as a little-endian `u32`.
  static let magic: UInt32 = 0x4655_4747
  /// ggml's `GGML_MAX_DIMS`.
  static let maxDimensions = 4
  /// Deepest array nesting accepted; real files use at most 2.
  static let maxArrayDepth = 8

  let base: UnsafeRawPointer
  let count: Int
  let file: URL
  var offset = 0

  init(base: UnsafeRawPointer, count: Int, file: URL) {
    self.base = base
    self.count = count
    self.file = file
  }

  // MARK: Primitive reads

  /// Fails with `.truncated` unless `byteCount` more bytes are left.
  @inline(__always)
  func need(_ byteCount: Int, _ what: @autoclosure () -> String) throws(CheckpointError) {
    if byteCount > count - offset {
      throw .truncated(
        file: file,
        detail: "\(what()) needs \(byteCount) bytes at offset \(offset), file has \(count)")
    }
  }

  @inline(__always)
  mutating func scalar<T: FixedWidthInteger>(
    _ type: T.Type, _ what: @autoclosure () -> String
  ) throws(CheckpointError) -> T {
    try need(MemoryLayout<T>.size, what())
    let value = T(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: T.self))
    offset += MemoryLayout<T>.size
    return value
  }

  /// Reads a `u64` length or count, rejecting values larger than the whole file.
  mutating func length(_ what: @autoclosure () -> String) throws(CheckpointError) -> Int {
    let raw = try scalar(UInt64.self, what())
    guard raw <= UInt64(count) else {
      throw .malformedHeader(
        file: file, detail: "\(what()) is \(raw), larger than the file (\(count) bytes)")
    }
    return Int(raw)
  }

  mutating func string(_ what: @autoclosure () -> String) throws(CheckpointError) -> String {
    let byteCount = try length("length of \(what())")
    try need(byteCount, what())
    let bytes = UnsafeRawBufferPointer(start: base + offset, count: byteCount)
    offset += byteCount
    return String(decoding: bytes, as: UTF8.self)
  }

  // MARK: Metadata values

  /// Smallest encoded size of one value of `type`, for bounding array counts.
  static func minimumSize(ofValueType type: UInt32) -> Int {
    switch type {
    case 0, 1, 7: 1
    case 2, 3: 2
    case 4, 5, 6: 4
    case 8, 10, 11, 12: 8
    case 9: 12
    default: 1
    }
  }

  mutating func value(
    type: UInt32, key: String, depth: Int = 0
  ) throws(CheckpointError) -> GGUFValue {
    switch type {
    case 0: return .uint8(try scalar(UInt8.self, "value of '\(UntrustedText.describe(key))'"))
    case 1: return .int8(try scalar(Int8.self, "value of '\(UntrustedText.describe(key))'"))
    case 2: return .uint16(try scalar(UInt16.self, "value of '\(UntrustedText.describe(key))'"))
    case 3: return .int16(try scalar(Int16.self, "value of '\(UntrustedText.describe(key))'"))
    case 4: return .uint32(try scalar(UInt32.self, "value of '\(UntrustedText.describe(key))'"))
    case 5: return .int32(try scalar(Int32.self, "value of '\(UntrustedText.describe(key))'"))
    case 6: return .float32(Float(bitPattern: try scalar(UInt32.self, "value of '\(UntrustedText.describe(key))'")))
    case 7:
      let byte = try scalar(UInt8.self, "value of '\(UntrustedText.describe(key))'")
      guard byte <= 1 else {
        throw .malformedHeader(file: file, detail: "bool '\(UntrustedText.describe(key))' has byte value \(byte)")
      }
      return .bool(byte == 1)
    case 8: return .string(try string("string '\(UntrustedText.describe(key))'"))
    case 9: return try array(key: key, depth: depth)
    case 10: return .uint64(try scalar(UInt64.self, "value of '\(UntrustedText.describe(key))'"))
    case 11: return .int64(try scalar(Int64.self, "value of '\(UntrustedText.describe(key))'"))
    case 12: return .float64(Double(bitPattern: try scalar(UInt64.self, "value of '\(UntrustedText.describe(key))'")))
    default:
      throw .malformedHeader(file: file, detail: "metadata '\(UntrustedText.describe(key))' has unknown value type \(type)")
    }
  }

  mutating func array(key: String, depth: Int) throws(CheckpointError) -> GGUFValue {
    guard depth < Self.maxArrayDepth else {
      throw .malformedHeader(
        file: file, detail: "metadata '\(UntrustedText.describe(key))' nests arrays deeper than \(Self.maxArrayDepth)")
    }
    let elementType = try scalar(UInt32.self, "element type of array '\(UntrustedText.describe(key))'")
    guard elementType <= 12 else {
      throw .malformedHeader(
        file: file, detail: "array '\(UntrustedText.describe(key))' has unknown element type \(elementType)")
    }
    let elementCount = try length("element count of array '\(UntrustedText.describe(key))'")
    // Bound the count by the bytes left so a corrupt count never triggers a huge allocation.
    let minimum = Self.minimumSize(ofValueType: elementType)
    if elementCount > (count - offset) / minimum {
      throw .truncated(
        file: file,
        detail: "array '\(UntrustedText.describe(key))' claims \(elementCount) elements at offset \(offset), "
          + "more than the \(count - offset) bytes left can hold")
    }
    var elements: [GGUFValue] = []
    elements.reserveCapacity(elementCount)
    for _ in 0..<elementCount {
      elements.append(try value(type: elementType, key: key, depth: depth + 1))
    }
    return .array(elements)
  }

  // MARK: Whole header

  mutating func parseHeader() throws(CheckpointError) -> GGUFHeader {
    let magic = try scalar(UInt32.self, "GGUF magic")
    guard magic == Self.magic else {
      throw .malformedHeader(
        file: file,
        detail: "bad magic 0x\(String(magic, radix: 16)); expected \"GGUF\" (not a GGUF file)")
    }
    let rawVersion = try scalar(UInt32.self, "GGUF version")
    if rawVersion & 0xFFFF == 0, (1...3).contains(rawVersion.byteSwapped) {
      throw .malformedHeader(
        file: file, detail: "big-endian GGUF files are not supported; convert to little-endian")
    }
    guard rawVersion == 2 || rawVersion == 3 else {
      let hint =
        rawVersion == 1
        ? "GGUF version 1 is obsolete; re-convert the model with a current llama.cpp"
        : "GGUF version \(rawVersion) is not supported (this reader knows versions 2 and 3)"
      throw .malformedHeader(file: file, detail: hint)
    }
    let tensorCount = try length("tensor count")
    let keyCount = try length("metadata key count")

    var metadata: [String: GGUFValue] = [:]
    var keys: [String] = []
    metadata.reserveCapacity(min(keyCount, 1024))
    for index in 0..<keyCount {
      let key = try string("key of metadata entry \(index)")
      let type = try scalar(UInt32.self, "value type of '\(UntrustedText.describe(key))'")
      let value = try value(type: type, key: key)
      guard metadata.updateValue(value, forKey: key) == nil else {
        throw .malformedHeader(file: file, detail: "duplicate metadata key '\(UntrustedText.describe(key))'")
      }
      keys.append(key)
    }

    let alignment = try Self.alignment(in: metadata, file: file)

    // Each tensor info takes at least 8 (name length) + 4 + 4 + 8 bytes.
    if tensorCount > (count - offset) / 24 {
      throw .truncated(
        file: file,
        detail: "header claims \(tensorCount) tensors, more than the \(count - offset) bytes "
          + "left after the metadata can describe")
    }
    var infos: [(name: String, dims: [Int], type: GGUFTensorType, offset: Int)] = []
    infos.reserveCapacity(tensorCount)
    var seen = Set<String>()
    for index in 0..<tensorCount {
      let name = try string("name of tensor \(index)")
      guard seen.insert(name).inserted else {
        throw .malformedHeader(file: file, detail: "duplicate tensor name '\(UntrustedText.describe(name))'")
      }
      let dimensionCount = try scalar(UInt32.self, "dimension count of '\(UntrustedText.describe(name))'")
      guard dimensionCount <= Self.maxDimensions else {
        throw .malformedHeader(
          file: file,
          detail: "tensor '\(UntrustedText.describe(name))' has \(dimensionCount) dimensions (at most \(Self.maxDimensions))")
      }
      var dims: [Int] = []
      for axis in 0..<Int(dimensionCount) {
        let extent = try scalar(UInt64.self, "dimension \(axis) of '\(UntrustedText.describe(name))'")
        guard extent <= UInt64(Int32.max) * 64 else {
          throw .malformedHeader(
            file: file, detail: "tensor '\(UntrustedText.describe(name))' dimension \(axis) is \(extent), too large")
        }
        dims.append(Int(extent))
      }
      let type = GGUFTensorType(id: try scalar(UInt32.self, "type of '\(UntrustedText.describe(name))'"))
      let rawOffset = try scalar(UInt64.self, "data offset of '\(UntrustedText.describe(name))'")
      guard rawOffset <= UInt64(Int.max / 2) else {
        throw .malformedHeader(
          file: file, detail: "tensor '\(UntrustedText.describe(name))' data offset \(rawOffset) is out of range")
      }
      infos.append((name, dims, type, Int(rawOffset)))
    }

    let dataOffset = (offset + alignment - 1) / alignment * alignment
    var tensors: [GGUFTensorInfo] = []
    tensors.reserveCapacity(infos.count)
    for info in infos {
      tensors.append(
        try Self.locate(
          name: info.name, dims: info.dims, type: info.type, relativeOffset: info.offset,
          dataOffset: dataOffset, alignment: alignment, fileSize: count, file: file))
    }
    return GGUFHeader(
      version: Int(rawVersion), metadata: metadata, metadataKeys: keys, tensors: tensors,
      alignment: alignment, dataOffset: dataOffset)
  }

  /// `general.alignment`, which must be a power of two; 32 when absent.
  static func alignment(in metadata: [String: GGUFValue], file: URL) throws(CheckpointError) -> Int {
    guard let value = metadata["general.alignment"] else { return 32 }
    guard let alignment = value.intValue, alignment > 0, alignment & (alignment - 1) == 0,
      alignment <= 1 << 20
    else {
      throw .malformedHeader(
        file: file, detail: "general.alignment is \(value), expected a power of two")
    }
    return alignment
  }

  /// Turns one raw tensor info into a ``GGUFTensorInfo``, checking its data lies in the file.
  static func locate(
    name: String, dims: [Int], type: GGUFTensorType, relativeOffset: Int, dataOffset: Int,
    alignment: Int, fileSize: Int, file: URL
  ) throws(CheckpointError) -> GGUFTensorInfo {
    // GGUF lists extents innermost first (ne[0] is the row length); row-major shape is reversed.
    let shape = Array(dims.reversed())
    var elementCount = 1
    for extent in dims {
      let (product, overflow) = elementCount.multipliedReportingOverflow(by: extent)
      guard !overflow, product <= Int(Int32.max) * 64 else {
        throw .malformedHeader(file: file, detail: "tensor '\(UntrustedText.describe(name))' shape \(shape) is too large")
      }
      elementCount = product
    }
    guard relativeOffset % alignment == 0 else {
      throw .malformedHeader(
        file: file,
        detail: "tensor '\(UntrustedText.describe(name))' data offset \(relativeOffset) is not a multiple of the "
          + "alignment \(alignment)")
    }
    let start = dataOffset + relativeOffset
    var byteCount: Int? = nil
    if let blockSize = type.blockSize, let typeSize = type.typeSize {
      let rowLength = dims.first ?? 1
      guard rowLength % blockSize == 0 else {
        throw .malformedHeader(
          file: file,
          detail: "tensor '\(UntrustedText.describe(name))' row length \(rowLength) is not a multiple of the "
            + "\(type.name) block size \(blockSize)")
      }
      let bytes = elementCount / blockSize * typeSize
      guard start <= fileSize, bytes <= fileSize - start else {
        throw .truncated(
          file: file,
          detail: "data of tensor '\(UntrustedText.describe(name))' (\(type.name), \(bytes) bytes at offset \(start)) "
            + "runs past the end of the file (\(fileSize) bytes)")
      }
      byteCount = bytes
    }
    return GGUFTensorInfo(
      name: name, type: type, shape: shape, elementCount: elementCount, dataOffset: start,
      byteCount: byteCount)
  }
}
