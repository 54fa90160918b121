import Foundation
import TensorCore

/// Where a tensor's bytes come from and how to read them.
public struct TensorInfo: Sendable, Equatable {
  /// The checkpoint's own name for the tensor (e.g. `model.layers.0.self_attn.q_proj.weight`).
  public var name: String
  /// The stored element type, in the file's own vocabulary (`F32`, `BF16`, `Q4_1`, …).
  public var storedType: String
  /// Shape in row-major order, outermost first (`[rows, columns]` for a matrix).
  public var shape: [Int]
  /// The file that holds the tensor.
  public var file: URL

  public init(name: String, storedType: String, shape: [Int], file: URL) {
    self.name = name
    self.storedType = storedType
    self.shape = shape
    self.file = file
  }

  /// Number of elements (product of the shape; 1 for a scalar).
  public var elementCount: Int { shape.reduce(1, *) }
}

/// A read-only collection of named tensors from one or more checkpoint files.
///
/// Implemented by ``SafetensorsFile``, ``ShardedSafetensors`` and ``GGUFFile``. Model loaders
/// ask for tensors by name and receive them widened to `Float`, so they never depend on the
/// file format or the stored precision.
public protocol TensorStore: Sendable {
  /// Every tensor name in the store, sorted.
  var tensorNames: [String] { get }
  /// Describes one tensor, or `nil` if the store has no tensor of that name.
  func info(for name: String) -> TensorInfo?
  /// Reads one tensor, converted to `Float`, in row-major order.
  ///
  /// - Throws: ``CheckpointError`` if the tensor is missing, its type cannot be converted,
  ///   or its bytes lie outside the file.
  func floats(_ name: String) throws(CheckpointError) -> [Float]
  /// Reads one tensor as bfloat16 bit patterns (default: ``floats(_:)`` rounded to nearest even).
  ///
  /// - Throws: ``CheckpointError``, as ``floats(_:)``.
  func bfloat16(_ name: String) throws(CheckpointError) -> [UInt16]
}

extension TensorStore {
  /// Reads one tensor as bfloat16 bit patterns (rounded to nearest, ties to even). Stores whose
  /// tensors are already bf16 copy the bits without widening (``SafetensorsFile``,
  /// ``ShardedSafetensors``); the default widens to `Float` first, which is exact for bf16 and
  /// rounds once for other types.
  ///
  /// - Throws: ``CheckpointError``, as ``floats(_:)``.
  public func bfloat16(_ name: String) throws(CheckpointError) -> [UInt16] {
    bfloat16Bits(try floats(name))
  }
}
