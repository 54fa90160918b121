import Foundation

/// Builds small GGUF v3 files byte by byte, for tests of what a reader does with hostile or
/// unusual metadata (values of the wrong width, absurd counts) that no converter would write.
///
/// Layout as in ggml's `docs/gguf.md`: magic, version, counts, metadata, tensor infos, padding
/// to 32 bytes, tensor data.
public struct GGUFBuilder {
  /// A metadata value, tagged with its GGUF type.
  public enum Value {
    case uint32(UInt32), int32(Int32), uint64(UInt64), float32(Float), bool(Bool), string(String)
    case strings([String]), int32s([Int32])
  }

  /// Metadata in file order.
  public var metadata: [(key: String, value: Value)] = []
  /// Tensor infos and their data (F32 only), in file order.
  public var tensors: [(name: String, dims: [UInt64], values: [Float])] = []

  /// An empty builder.
  public init() {}

  /// The file's bytes.
  public func bytes() -> Data {
    var out = Data()
    func put<T: FixedWidthInteger>(_ value: T) {
      withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }
    func put(string: String) {
      put(UInt64(string.utf8.count))
      out.append(contentsOf: Array(string.utf8))
    }
    put(UInt32(0x4655_4747))
    put(UInt32(3))
    put(UInt64(tensors.count))
    put(UInt64(metadata.count))
    for (key, value) in metadata {
      put(string: key)
      switch value {
      case .uint32(let v):
        put(UInt32(4))
        put(v)
      case .int32(let v):
        put(UInt32(5))
        put(v)
      case .float32(let v):
        put(UInt32(6))
        put(v.bitPattern)
      case .bool(let v):
        put(UInt32(7))
        put(UInt8(v ? 1 : 0))
      case .string(let v):
        put(UInt32(8))
        put(string: v)
      case .uint64(let v):
        put(UInt32(10))
        put(v)
      case .strings(let v):
        put(UInt32(9))
        put(UInt32(8))
        put(UInt64(v.count))
        for s in v { put(string: s) }
      case .int32s(let v):
        put(UInt32(9))
        put(UInt32(5))
        put(UInt64(v.count))
        for x in v { put(x) }
      }
    }
    var offset: UInt64 = 0
    for tensor in tensors {
      put(string: tensor.name)
      put(UInt32(tensor.dims.count))
      for extent in tensor.dims { put(extent) }
      put(UInt32(0))  // F32
      put(offset)
      offset += UInt64(tensor.values.count * 4 + 31) / 32 * 32
    }
    while out.count % 32 != 0 { out.append(0) }
    for tensor in tensors {
      for value in tensor.values { put(value.bitPattern) }
      while out.count % 32 != 0 { out.append(0) }
    }
    return out
  }
}
