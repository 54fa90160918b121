import TensorCore

/// A ggml tensor element type, as stored in a GGUF tensor info (`ggml_type`).
///
/// Known ids carry their ggml name and block geometry (`blockSize` elements stored in
/// `typeSize` bytes); an id this reader has never heard of is kept as is, so a file with
/// a newer quant type still opens and lists, and only reading that tensor fails.
///
/// See ggml's `ggml_type` enum and gguf-py's `GGML_QUANT_SIZES`.
public struct GGUFTensorType: Hashable, Sendable, CustomStringConvertible {
  /// The `ggml_type` id stored in the file.
  public let id: UInt32

  /// Creates the type for a raw `ggml_type` id.
  public init(id: UInt32) { self.id = id }

  /// Name, elements per block and bytes per block of every known type.
  private static let table: [UInt32: (name: String, blockSize: Int, typeSize: Int)] = [
    0: ("F32", 1, 4), 1: ("F16", 1, 2), 2: ("Q4_0", 32, 18), 3: ("Q4_1", 32, 20),
    6: ("Q5_0", 32, 22), 7: ("Q5_1", 32, 24), 8: ("Q8_0", 32, 34), 9: ("Q8_1", 32, 40),
    10: ("Q2_K", 256, 84), 11: ("Q3_K", 256, 110), 12: ("Q4_K", 256, 144),
    13: ("Q5_K", 256, 176), 14: ("Q6_K", 256, 210), 15: ("Q8_K", 256, 292),
    16: ("IQ2_XXS", 256, 66), 17: ("IQ2_XS", 256, 74), 18: ("IQ3_XXS", 256, 98),
    19: ("IQ1_S", 256, 50), 20: ("IQ4_NL", 32, 18), 21: ("IQ3_S", 256, 110),
    22: ("IQ2_S", 256, 82), 23: ("IQ4_XS", 256, 136), 24: ("I8", 1, 1), 25: ("I16", 1, 2),
    26: ("I32", 1, 4), 27: ("I64", 1, 8), 28: ("F64", 1, 8), 29: ("IQ1_M", 256, 56),
    30: ("BF16", 1, 2), 34: ("TQ1_0", 256, 54), 35: ("TQ2_0", 256, 66),
    39: ("MXFP4", 32, 17),
  ]

  /// The ggml name (`"Q4_1"`, `"F32"`, …), or `"type <id>"` for an unknown id.
  public var name: String { Self.table[id]?.name ?? "type \(id)" }

  /// Whether the id is a ggml type this reader knows the layout of.
  public var isKnown: Bool { Self.table[id] != nil }

  /// Elements per block (1 for plain types, 32 or 256 for quant types); `nil` if unknown.
  public var blockSize: Int? { Self.table[id]?.blockSize }

  /// Bytes per block; `nil` if unknown.
  public var typeSize: Int? { Self.table[id]?.typeSize }

  /// Whether ``GGUFFile/floats(_:)`` can convert tensors of this type to `Float`.
  public var canDequantize: Bool { kernel != nil }

  /// The ggml name, as ``name``.
  public var description: String { name }

  /// Converts `blockCount` blocks at `source` to `blockCount · blockSize` floats at `output`.
  typealias Kernel = (
    _ output: UnsafeMutablePointer<Float>, _ source: UnsafeRawPointer, _ blockCount: Int
  ) -> Void

  /// The block converter for this type, or `nil` where there is none.
  var kernel: Kernel? {
    switch id {
    case 0:
      return { output, source, count in
        UnsafeMutableRawPointer(output).copyMemory(from: source, byteCount: 4 * count)
      }
    case 1: return { convertToFloat($0, from: $1, dtype: .float16, count: $2) }
    case 30: return { convertToFloat($0, from: $1, dtype: .bfloat16, count: $2) }
    case 28: return { convertToFloat($0, from: $1, dtype: .float64, count: $2) }
    case 24:
      return { output, source, count in
        for i in 0..<count { output[i] = Float(source.load(fromByteOffset: i, as: Int8.self)) }
      }
    case 25:
      return { output, source, count in
        for i in 0..<count {
          let raw = source.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self)
          output[i] = Float(Int16(littleEndian: raw))
        }
      }
    case 26:
      return { output, source, count in
        for i in 0..<count {
          let raw = source.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)
          output[i] = Float(Int32(littleEndian: raw))
        }
      }
    case 2: return dequantizeQ4_0
    case 3: return dequantizeQ4_1
    case 6: return dequantizeQ5_0
    case 7: return dequantizeQ5_1
    case 8: return dequantizeQ8_0
    case 10: return dequantizeQ2_K
    case 11: return dequantizeQ3_K
    case 12: return dequantizeQ4_K
    case 13: return dequantizeQ5_K
    case 14: return dequantizeQ6_K
    case 15: return dequantizeQ8_K
    default: return nil
    }
  }
}
