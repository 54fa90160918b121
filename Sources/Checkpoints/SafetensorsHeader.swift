import Foundation
import JSONSupport
import TensorCore

/// The JSON header of a safetensors file, built from a tensor list.
///
/// Shared by ``SafetensorsWriter`` (whole tensors in memory) and streaming writers that emit
/// tensor bytes straight from their buffers.
public struct SafetensorsHeader: Sendable {
  /// One tensor's entry.
  public struct Entry: Sendable {
    public var name: String
    public var dtype: DType
    public var shape: [Int]
    public init(name: String, dtype: DType, shape: [Int]) {
      self.name = name
      self.dtype = dtype
      self.shape = shape
    }
    /// Bytes of data.
    public var byteCount: Int { shape.reduce(1, *) * dtype.byteCount }
  }

  /// Tensors in file order.
  public var entries: [Entry]
  /// `__metadata__` strings.
  public var metadata: [String: String]

  public init(entries: [Entry], metadata: [String: String] = [:]) {
    self.entries = entries
    self.metadata = metadata
  }

  /// The 8-byte little-endian length followed by the JSON header, padded with spaces so the
  /// data that follows starts 8-byte aligned. Data offsets follow `entries` in order.
  public func encoded() -> Data {
    var fields: [String] = []
    if !metadata.isEmpty {
      let pairs = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
      fields.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
    }
    var offset = 0
    for e in entries {
      let shape = e.shape.map(String.init).joined(separator: ",")
      fields.append(
        "\(jsonString(e.name)):{\"dtype\":\"\(e.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + e.byteCount)]}"
      )
      offset += e.byteCount
    }
    var json = Data("{\(fields.joined(separator: ","))}".utf8)
    while json.count % 8 != 0 { json.append(0x20) }
    var length = UInt64(json.count).littleEndian
    return Data(bytes: &length, count: 8) + json
  }
}

/// A JSON string literal for `s` (quotes and escapes).
func jsonString(_ s: String) -> String {
  String(decoding: JSONValue.string(s).serialized(), as: UTF8.self)
}

/// The header of a NumPy `.npy` file (format 1.0): magic, version, header length, and the
/// Python-literal dict `{'descr': …, 'fortran_order': False, 'shape': (…), }`, padded with
/// spaces and a newline so the data starts 64-byte aligned.
public func npyHeader(descr: String, shape: [Int]) -> Data {
  let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
  var dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
  let prefix = 10  // magic (6) + version (2) + header length (2)
  let total = (prefix + dict.utf8.count + 1 + 63) / 64 * 64
  dict += String(repeating: " ", count: total - prefix - dict.utf8.count - 1) + "\n"
  var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
  var length = UInt16(dict.utf8.count).littleEndian
  data.append(Data(bytes: &length, count: 2))
  data.append(Data(dict.utf8))
  return data
}

/// The NumPy `descr` string of a dtype (`<f4`, `<f2`, `<i4`, `<i8`), or `nil` if NumPy has no
/// native equivalent (bfloat16).
public func npyDescr(_ dtype: DType) -> String? {
  switch dtype {
  case .float32: "<f4"
  case .float16: "<f2"
  case .float64: "<f8"
  case .int32: "<i4"
  case .int64: "<i8"
  case .int16: "<i2"
  case .int8: "|i1"
  case .uint8: "|u1"
  case .bool: "|b1"
  case .bfloat16: nil
  }
}
