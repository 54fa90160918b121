/// Where one tensor of a GGUF file lives and how it is stored.
public struct GGUFTensorInfo: Sendable, Equatable {
  /// The tensor's name (`token_embd.weight`, `blk.0.attn_q.weight`, …).
  public let name: String
  /// The stored ggml element type.
  public let type: GGUFTensorType
  /// Shape in row-major order, outermost first (the reverse of GGUF's `ne` order), so a
  /// 49152-token × 576-wide embedding is `[49152, 576]`.
  public let shape: [Int]
  /// Number of elements (product of `shape`).
  public let elementCount: Int
  /// Absolute byte offset of the tensor's data in the file.
  public let dataOffset: Int
  /// Bytes of stored data; `nil` when the type is unknown, so its size cannot be computed.
  public let byteCount: Int?
}
