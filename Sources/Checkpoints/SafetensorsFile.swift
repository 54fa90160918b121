import Foundation
import JSONSupport
import TensorCore

/// One `.safetensors` file, memory-mapped.
///
/// Layout (safetensors spec): an 8-byte little-endian header length `N`, `N` bytes of JSON
/// `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}`, then the
/// raw little-endian tensor bytes, offsets relative to the end of the header.
public final class SafetensorsFile: TensorStore {
  /// The file on disk.
  public let url: URL
  /// The optional `__metadata__` string map.
  public let metadata: [String: String]
  private let mapping: MappedFile
  private let entries: [String: Entry]
  private let dataStart: Int

  struct Entry: Sendable {
    var dtypeName: String
    var dtype: DType?
    var shape: [Int]
    var begin: Int
    var end: Int
  }

  /// Opens and validates `url`: header JSON, known dtypes, offsets inside the file, byte counts
  /// that agree with shapes.
  ///
  /// - Throws: ``CheckpointError`` (`truncated`, `malformedHeader`, `unreadable`).
  public init(_ url: URL) throws(CheckpointError) {
    self.url = url
    mapping = try MappedFile(url)
    guard mapping.count >= 8, let base = mapping.bytes else {
      throw .truncated(file: url, detail: "\(mapping.count) bytes, shorter than the 8-byte header length")
    }
    let headerLength = Int(UInt64(littleEndian: base.loadUnaligned(as: UInt64.self)))
    guard headerLength <= mapping.count - 8 else {
      throw .truncated(
        file: url, detail: "header says \(headerLength) bytes of JSON but the file has \(mapping.count - 8)")
    }
    dataStart = 8 + headerLength
    let headerData = Data(bytes: base + 8, count: headerLength)
    let header: JSONValue
    do { header = try JSONValue.parse(headerData) } catch {
      throw .malformedHeader(file: url, detail: "header is not valid JSON (\(error.reason))")
    }
    guard let object = header.objectValue else {
      throw .malformedHeader(file: url, detail: "header is not a JSON object")
    }
    var metadata: [String: String] = [:]
    var entries: [String: Entry] = [:]
    let dataLength = mapping.count - dataStart
    for (name, value) in object {
      if name == "__metadata__" {
        guard let map = value.objectValue else {
          throw .malformedHeader(file: url, detail: "__metadata__ is not an object")
        }
        for (k, v) in map {
          guard let s = v.stringValue else {
            throw .malformedHeader(file: url, detail: "__metadata__['\(k)'] is not a string")
          }
          metadata[k] = s
        }
        continue
      }
      guard let dtypeName = value["dtype"]?.stringValue, let shape = value["shape"]?.intArrayValue,
        let offsets = value["data_offsets"]?.intArrayValue, offsets.count == 2
      else {
        throw .malformedHeader(
          file: url, detail: "tensor '\(name)' needs dtype, shape and data_offsets [begin, end]")
      }
      guard shape.allSatisfy({ $0 >= 0 }), offsets[0] >= 0, offsets[1] >= offsets[0] else {
        throw .malformedHeader(file: url, detail: "tensor '\(name)' has a negative shape or bad offsets")
      }
      let dtype = DType(rawValue: dtypeName)
      if let dtype {
        let expected = shape.reduce(1, *) * dtype.byteCount
        guard offsets[1] - offsets[0] == expected else {
          throw .malformedHeader(
            file: url,
            detail: "tensor '\(name)' spans \(offsets[1] - offsets[0]) bytes; \(dtypeName) \(shape) needs \(expected)")
        }
      }
      guard offsets[1] <= dataLength else {
        throw .truncated(
          file: url,
          detail: "tensor '\(name)' ends at byte \(dataStart + offsets[1]) but the file has \(mapping.count)")
      }
      entries[name] = Entry(dtypeName: dtypeName, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1])
    }
    self.metadata = metadata
    self.entries = entries
  }

  public var tensorNames: [String] { entries.keys.sorted() }

  public func info(for name: String) -> TensorInfo? {
    entries[name].map { TensorInfo(name: name, storedType: $0.dtypeName, shape: $0.shape, file: url) }
  }

  public func floats(_ name: String) throws(CheckpointError) -> [Float] {
    guard let entry = entries[name] else { throw .missingTensor(name: name, file: url) }
    guard let dtype = entry.dtype, dtype.isFloatingPoint, let base = mapping.bytes else {
      throw .unsupportedDType(file: url, tensor: name, dtype: entry.dtypeName)
    }
    let count = entry.shape.reduce(1, *)
    return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
      if let out = buffer.baseAddress {
        convertToFloat(out, from: base + dataStart + entry.begin, dtype: dtype, count: count)
      }
      initialized = count
    }
  }

  /// Reads one tensor as bfloat16 bit patterns: a `BF16` tensor is copied as stored (no round
  /// trip through `Float`); other float types are widened, then rounded once.
  ///
  /// - Throws: ``CheckpointError``.
  public func bfloat16(_ name: String) throws(CheckpointError) -> [UInt16] {
    guard let entry = entries[name] else { throw .missingTensor(name: name, file: url) }
    guard entry.dtype == .bfloat16 else { return bfloat16Bits(try floats(name)) }
    let raw = try rawBytes(name)
    let count = entry.shape.reduce(1, *)
    return [UInt16](unsafeUninitializedCapacity: count) { buffer, initialized in
      if let out = buffer.baseAddress, let source = raw.baseAddress, count > 0 {
        UnsafeMutableRawPointer(out).copyMemory(from: source, byteCount: 2 * count)
      }
      initialized = count
    }
  }

  /// The raw bytes of one tensor (any dtype), for readers of integer tensors such as `token_ids`.
  public func rawBytes(_ name: String) throws(CheckpointError) -> UnsafeRawBufferPointer {
    guard let entry = entries[name] else { throw .missingTensor(name: name, file: url) }
    guard let base = mapping.bytes else { return UnsafeRawBufferPointer(start: nil, count: 0) }
    return UnsafeRawBufferPointer(start: base + dataStart + entry.begin, count: entry.end - entry.begin)
  }

  /// Reads an `I32` or `I64` tensor as `[Int32]` (values are range-checked).
  public func int32s(_ name: String) throws(CheckpointError) -> [Int32] {
    guard let entry = entries[name] else { throw .missingTensor(name: name, file: url) }
    let raw = try rawBytes(name)
    switch entry.dtype {
    case .int32:
      return (0..<(raw.count / 4)).map { raw.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self) }
    case .int64:
      var result: [Int32] = []
      for i in 0..<(raw.count / 8) {
        let v = raw.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)
        guard let narrowed = Int32(exactly: v) else {
          throw .malformedHeader(file: url, detail: "tensor '\(name)' value \(v) does not fit in Int32")
        }
        result.append(narrowed)
      }
      return result
    default:
      throw .unsupportedDType(file: url, tensor: name, dtype: entry.dtypeName)
    }
  }
}
