import Foundation
import TensorCore

/// Writes `.safetensors` files (with `__metadata__`) atomically, through ``AtomicFile``, so a
/// reader never sees a half-written file.
///
/// Tensors are added in order and written in that order; data offsets are 8-byte aligned by
/// padding the JSON header with spaces, as the reference writer does.
public struct SafetensorsWriter {
  private struct Pending {
    var name: String
    var dtype: DType
    var shape: [Int]
    var data: Data
  }
  private var tensors: [Pending] = []
  /// String metadata written to `__metadata__`.
  public var metadata: [String: String]

  /// Creates an empty writer.
  public init(metadata: [String: String] = [:]) {
    self.metadata = metadata
  }

  /// Adds a float tensor, stored as `dtype` (`F32`, `F16` or `BF16`; rounded to nearest even).
  ///
  /// - Precondition: `values.count` equals the product of `shape`; `dtype` is a float type.
  public mutating func add(_ name: String, floats values: [Float], shape: [Int], as dtype: DType = .float32) {
    precondition(values.count == shape.reduce(1, *), "\(name): \(values.count) values for shape \(shape)")
    var data: Data
    switch dtype {
    case .float32:
      data = values.withUnsafeBufferPointer { Data(buffer: $0) }
    case .float16:
      data = Data(count: values.count * 2)
      data.withUnsafeMutableBytes { raw in
        for (i, v) in values.enumerated() {
          raw.storeBytes(of: halfBitsFromFloat(v).littleEndian, toByteOffset: 2 * i, as: UInt16.self)
        }
      }
    case .bfloat16:
      data = Data(count: values.count * 2)
      data.withUnsafeMutableBytes { raw in
        for (i, v) in values.enumerated() {
          raw.storeBytes(of: bfloat16BitsFromFloat(v).littleEndian, toByteOffset: 2 * i, as: UInt16.self)
        }
      }
    default:
      preconditionFailure("SafetensorsWriter.add(floats:) needs a float dtype, got \(dtype)")
    }
    tensors.append(Pending(name: name, dtype: dtype, shape: shape, data: data))
  }

  /// Adds an `I32` tensor.
  public mutating func add(_ name: String, int32s values: [Int32], shape: [Int]) {
    precondition(values.count == shape.reduce(1, *), "\(name): \(values.count) values for shape \(shape)")
    tensors.append(
      Pending(name: name, dtype: .int32, shape: shape, data: values.withUnsafeBufferPointer { Data(buffer: $0) }))
  }

  /// Adds a `U8` tensor (bit-packed codes, flags).
  public mutating func add(_ name: String, uint8s values: [UInt8], shape: [Int]) {
    precondition(values.count == shape.reduce(1, *), "\(name): \(values.count) values for shape \(shape)")
    tensors.append(Pending(name: name, dtype: .uint8, shape: shape, data: Data(values)))
  }

  /// Adds an `I64` tensor.
  public mutating func add(_ name: String, int64s values: [Int64], shape: [Int]) {
    precondition(values.count == shape.reduce(1, *), "\(name): \(values.count) values for shape \(shape)")
    tensors.append(
      Pending(name: name, dtype: .int64, shape: shape, data: values.withUnsafeBufferPointer { Data(buffer: $0) }))
  }

  /// Serialises the header (length prefix included).
  func header() -> Data {
    SafetensorsHeader(
      entries: tensors.map { SafetensorsHeader.Entry(name: $0.name, dtype: $0.dtype, shape: $0.shape) },
      metadata: metadata
    ).encoded()
  }

  /// Writes the file atomically to `url` (see ``AtomicFile``).
  ///
  /// - Throws: ``CheckpointError/writeFailed(file:reason:)``.
  public func write(to url: URL) throws(CheckpointError) {
    let header = header()
    do {
      try AtomicFile.write(to: url) { sink in
        try sink(header)
        for t in tensors { try sink(t.data) }
      }
    } catch let error as AtomicFileError {
      throw .writeFailed(file: url, reason: error.reason)
    } catch {
      throw .writeFailed(file: url, reason: String(describing: error))
    }
  }
}
