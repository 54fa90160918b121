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

  /// Opens and validates `url`: header length within the file, header JSON with unique names,
  /// known dtypes, shapes of non-negative integers whose byte counts fit in memory and agree with
  /// the offsets, and data ranges inside the file that do not overlap.
  ///
  /// - Throws: ``CheckpointError`` (`truncated`, `malformedHeader`, `unreadable`).
  public init(_ url: URL) throws(CheckpointError) {
    self.url = url
    mapping = try MappedFile(url)
    guard mapping.count >= 8, let base = mapping.bytes else {
      throw .truncated(file: url, detail: "\(mapping.count) bytes, shorter than the 8-byte header length")
    }
    let header = try Self.parseHeader(UnsafeRawBufferPointer(start: base, count: mapping.count), file: url)
    metadata = header.metadata
    entries = header.entries
    dataStart = header.dataStart
  }

  /// Parses and checks the header of the safetensors bytes `file` (the whole file, mapped).
  static func parseHeader(
    _ file: UnsafeRawBufferPointer, file url: URL
  ) throws(CheckpointError) -> (metadata: [String: String], entries: [String: Entry], dataStart: Int) {
    guard file.count >= 8 else {
      throw .truncated(file: url, detail: "\(file.count) bytes, shorter than the 8-byte header length")
    }
    let declaredLength = UInt64(littleEndian: file.loadUnaligned(as: UInt64.self))
    guard declaredLength <= UInt64(file.count - 8) else {
      throw .truncated(
        file: url, detail: "header says \(declaredLength) bytes of JSON but the file has \(file.count - 8)")
    }
    let headerLength = Int(declaredLength)
    let dataStart = 8 + headerLength
    let headerData = Data(file[8..<dataStart])
    let header: JSONValue
    do { header = try JSONValue.parse(headerData) } catch {
      throw .malformedHeader(file: url, detail: "header is \(error.reason)")
    }
    guard let object = header.objectValue else {
      throw .malformedHeader(file: url, detail: "header is not a JSON object")
    }
    var metadata: [String: String] = [:]
    var entries: [String: Entry] = [:]
    let dataLength = file.count - dataStart
    for (name, value) in object {
      let quoted = "'\(UntrustedText.describe(name))'"
      if name == "__metadata__" {
        guard let map = value.objectValue else {
          throw .malformedHeader(file: url, detail: "__metadata__ is \(value.typeName), not an object")
        }
        for (k, v) in map {
          guard let s = v.stringValue else {
            throw .malformedHeader(
              file: url, detail: "__metadata__['\(UntrustedText.describe(k))'] is \(v.typeName), not a string")
          }
          metadata[k] = s
        }
        continue
      }
      guard value.objectValue != nil else {
        throw .malformedHeader(file: url, detail: "tensor \(quoted) is \(value.typeName), not an object")
      }
      guard let dtypeName = value["dtype"]?.stringValue else {
        throw .malformedHeader(file: url, detail: "tensor \(quoted) needs a dtype string")
      }
      guard let shape = value["shape"]?.intArrayValue, shape.allSatisfy({ $0 >= 0 }) else {
        throw .malformedHeader(file: url, detail: "tensor \(quoted): shape must be an array of non-negative integers")
      }
      guard let offsets = value["data_offsets"]?.intArrayValue, offsets.count == 2, offsets[0] >= 0,
        offsets[1] >= offsets[0]
      else {
        throw .malformedHeader(
          file: url, detail: "tensor \(quoted): data_offsets must be two integers [begin, end] with 0 ≤ begin ≤ end")
      }
      guard offsets[1] <= dataLength else {
        throw .truncated(
          file: url,
          detail: "tensor \(quoted) ends at byte \(dataStart + offsets[1]) but the file has \(file.count)")
      }
      let dtype = DType(rawValue: dtypeName)
      if let dtype {
        // Checked: a shape such as [2^32, 2^32] must be an error, not a trap.
        guard let expected = checkedByteCount(shape: shape, elementSize: dtype.byteCount) else {
          throw .malformedHeader(file: url, detail: "tensor \(quoted) shape \(shape) is too large")
        }
        guard offsets[1] - offsets[0] == expected else {
          throw .malformedHeader(
            file: url,
            detail:
              "tensor \(quoted) spans \(offsets[1] - offsets[0]) bytes; \(dtypeName) \(shape) needs \(expected)")
        }
      } else if checkedByteCount(shape: shape, elementSize: 1) == nil {
        throw .malformedHeader(file: url, detail: "tensor \(quoted) shape \(shape) is too large")
      }
      entries[name] = Entry(dtypeName: dtypeName, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1])
    }
    // Two tensors must never share bytes (empty tensors occupy none).
    let ranges = entries.filter { $0.value.end > $0.value.begin }.sorted { $0.value.begin < $1.value.begin }
    for (previous, next) in zip(ranges, ranges.dropFirst()) where next.value.begin < previous.value.end {
      throw .malformedHeader(
        file: url,
        detail:
          "tensors '\(UntrustedText.describe(previous.key))' (bytes \(previous.value.begin)..<\(previous.value.end)) "
          + "and '\(UntrustedText.describe(next.key))' (bytes \(next.value.begin)..<\(next.value.end)) overlap")
    }
    return (metadata, entries, dataStart)
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
          throw .malformedHeader(file: url, detail: "tensor '\(UntrustedText.describe(name))' value \(v) does not fit in Int32")
        }
        result.append(narrowed)
      }
      return result
    default:
      throw .unsupportedDType(file: url, tensor: name, dtype: entry.dtypeName)
    }
  }
}

/// `shape`'s element count times `elementSize`, or `nil` when it overflows `Int` (or exceeds
/// what a 64-bit address space could hold).
///
/// Every size bae reads from a file goes through checked arithmetic like this before anything
/// is allocated or indexed.
public func checkedByteCount(shape: [Int], elementSize: Int) -> Int? {
  var total = elementSize
  for extent in shape {
    guard extent >= 0 else { return nil }
    let (product, overflow) = total.multipliedReportingOverflow(by: extent)
    guard !overflow else { return nil }
    total = product
  }
  return total <= Int.max / 2 ? total : nil
}
