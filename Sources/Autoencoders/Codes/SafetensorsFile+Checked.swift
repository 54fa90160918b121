import Checkpoints
import Foundation
import TensorCore

extension SafetensorsFile {
  /// The raw bytes of tensor `name` after checking its dtype and shape (`nil` dimensions match
  /// any size), errors as ``CodeError/malformedFile(file:reason:)``.
  func checkedBytes(_ name: String, dtype: DType, shape: [Int?]) throws(CodeError) -> (
    bytes: UnsafeRawBufferPointer, shape: [Int]
  ) {
    guard let info = info(for: name) else { throw .malformedFile(file: url, reason: "no tensor '\(name)'") }
    guard info.storedType == dtype.rawValue else {
      throw .malformedFile(file: url, reason: "tensor '\(name)' is \(info.storedType), expected \(dtype.rawValue)")
    }
    guard info.shape.count == shape.count, zip(info.shape, shape).allSatisfy({ $1 == nil || $0 == $1 }) else {
      let expected = shape.map { $0.map(String.init) ?? "_" }.joined(separator: ", ")
      throw .malformedFile(file: url, reason: "tensor '\(name)' has shape \(info.shape), expected [\(expected)]")
    }
    do {
      return (try rawBytes(name), info.shape)
    } catch {
      throw .malformedFile(file: url, reason: error.description)
    }
  }

  /// A checked tensor's elements as an array of `T` (little-endian, as safetensors stores them).
  func checkedArray<T: FixedWidthInteger>(_ name: String, as: T.Type, dtype: DType, shape: [Int?]) throws(CodeError)
    -> [T]
  {
    let (raw, _) = try checkedBytes(name, dtype: dtype, shape: shape)
    let size = MemoryLayout<T>.size
    return (0..<(raw.count / size)).map { T(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * size, as: T.self)) }
  }

  /// A checked F32 tensor's elements.
  func checkedFloats(_ name: String, shape: [Int?]) throws(CodeError) -> [Float] {
    let (raw, _) = try checkedBytes(name, dtype: .float32, shape: shape)
    return (0..<(raw.count / 4)).map {
      Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)))
    }
  }

  /// Opens `url`, errors as ``CodeError/unreadable(file:reason:)``.
  static func opened(_ url: URL) throws(CodeError) -> SafetensorsFile {
    do {
      return try SafetensorsFile(url)
    } catch {
      throw .unreadable(file: url, reason: error.description)
    }
  }
}
