import CKernels

/// A weight matrix (or table) stored once, in the precision its products use: f32 values, or
/// bfloat16 bit patterns for the bf16 path.
///
/// Subscripting widens one element to `Float` (exact for bf16); ``floats`` widens all of them.
public struct WeightMatrix: Sendable, Equatable {
  /// The stored elements.
  public enum Storage: Sendable, Equatable {
    /// IEEE single precision.
    case float32([Float])
    /// bfloat16 bit patterns (the upper half of an f32).
    case bfloat16([UInt16])
  }

  /// The elements, row-major.
  public let storage: Storage

  /// Wraps stored elements.
  public init(storage: Storage) { self.storage = storage }

  /// Stores `values` in `precision` (rounding to the nearest bfloat16, ties to even, for `bf16`).
  public init(_ values: [Float], precision: Precision) {
    switch precision {
    case .float32: storage = .float32(values)
    case .bfloat16: storage = .bfloat16(bfloat16Bits(values))
    }
  }

  /// Number of elements.
  public var count: Int {
    switch storage {
    case .float32(let values): values.count
    case .bfloat16(let bits): bits.count
    }
  }

  /// The precision the elements are stored in.
  public var precision: Precision {
    switch storage {
    case .float32: .float32
    case .bfloat16: .bfloat16
    }
  }

  /// Element `i`, widened to `Float`.
  public subscript(i: Int) -> Float {
    switch storage {
    case .float32(let values): values[i]
    case .bfloat16(let bits): floatFromBFloat16Bits(bits[i])
    }
  }

  /// Every element widened to `Float` (a copy for bf16 storage).
  public var floats: [Float] {
    switch storage {
    case .float32(let values): return values
    case .bfloat16(let bits):
      var out = [Float](repeating: 0, count: bits.count)
      out.withUnsafeMutableBufferPointer { o in
        bits.withUnsafeBufferPointer { bae_float_from_bfloat16(o.baseAddress!, $0.baseAddress!, $0.count) }
      }
      return out
    }
  }

  /// Copies `count` elements starting at `offset`, widened to `Float`, to `destination`.
  public func copyRow(offset: Int, count: Int, to destination: UnsafeMutablePointer<Float>) {
    switch storage {
    case .float32(let values):
      values.withUnsafeBufferPointer { destination.update(from: $0.baseAddress! + offset, count: count) }
    case .bfloat16(let bits):
      bits.withUnsafeBufferPointer { bae_float_from_bfloat16(destination, $0.baseAddress! + offset, count) }
    }
  }
}

/// `values` rounded to the nearest bfloat16 bit patterns (ties to even; NaN stays NaN).
public func bfloat16Bits(_ values: [Float]) -> [UInt16] {
  var out = [UInt16](repeating: 0, count: values.count)
  out.withUnsafeMutableBufferPointer { o in
    values.withUnsafeBufferPointer { bae_bfloat16_from_float(o.baseAddress!, $0.baseAddress!, $0.count) }
  }
  return out
}
