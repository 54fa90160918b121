/// Element types that `bae` reads from checkpoints and writes to feature files.
///
/// Names follow the safetensors spelling (`F32`, `F16`, `BF16`, …); GGUF quant types
/// are described separately by the GGUF reader.
public enum DType: String, Sendable, CaseIterable, Codable {
  case float32 = "F32"
  case float16 = "F16"
  case bfloat16 = "BF16"
  case float64 = "F64"
  case int64 = "I64"
  case int32 = "I32"
  case int16 = "I16"
  case int8 = "I8"
  case uint8 = "U8"
  case bool = "BOOL"

  /// Bytes per element.
  public var byteCount: Int {
    switch self {
    case .float64, .int64: 8
    case .float32, .int32: 4
    case .float16, .bfloat16, .int16: 2
    case .int8, .uint8, .bool: 1
    }
  }

  /// Whether values of this type can be widened to `Float` for compute.
  public var isFloatingPoint: Bool {
    switch self {
    case .float32, .float16, .bfloat16, .float64: true
    default: false
    }
  }
}
