import Foundation

/// A GGUF model file (llama.cpp's format), memory-mapped and read on demand.
///
/// Opening parses the header (version, metadata, tensor infos) and checks that every
/// tensor's data lies inside the file; tensor bytes are only touched by ``floats(_:)``,
/// which dequantizes to `Float`. GGUF versions 2 and 3, little-endian, are supported.
/// Tensors of types that cannot be converted (see ``GGUFTensorType/canDequantize``)
/// still list, with their ggml name in ``TensorInfo/storedType``; ``validate()`` reports them.
///
/// ```swift
/// let gguf = try GGUFFile(url: modelURL)
/// let layers = try gguf.requiredInt("llama.block_count")
/// let embedding = try gguf.floats("token_embd.weight")   // [49152 · 576] floats
/// ```
///
/// All methods are thread-safe: the file is immutable after `init`.
/// Reference: ggml `docs/gguf.md`, `ggml/src/gguf.cpp`; gguf-py `gguf_reader.py`.
public final class GGUFFile: TensorStore {
  /// The file that was opened.
  public let url: URL
  /// The GGUF format version (2 or 3).
  public let version: Int
  /// Every metadata entry, by key.
  public let metadata: [String: GGUFValue]
  /// Metadata keys in file order.
  public let metadataKeys: [String]
  /// Every tensor, in file order.
  public let tensors: [GGUFTensorInfo]
  /// Alignment of tensor data in bytes (`general.alignment`, default 32).
  public let alignment: Int
  /// Byte offset where the tensor data section starts.
  public let dataOffset: Int
  /// Every tensor name, sorted.
  public let tensorNames: [String]

  private let mapping: MappedFile
  private let index: [String: Int]

  /// Opens and memory-maps a GGUF file and parses its header.
  ///
  /// - Parameter url: path of the `.gguf` file.
  /// - Throws: ``CheckpointError/unreadable(file:reason:)`` if the file cannot be mapped,
  ///   ``CheckpointError/truncated(file:detail:)`` if the header or any tensor's data is cut off,
  ///   ``CheckpointError/malformedHeader(file:detail:)`` for a bad magic, an unsupported
  ///   version (1, or newer than 3), or impossible counts, lengths, types or shapes.
  /// - Complexity: O(header size); tensor data is not read.
  public init(url: URL) throws(CheckpointError) {
    self.url = url
    mapping = try MappedFile(url)
    guard let base = mapping.bytes else {
      throw .truncated(file: url, detail: "the file is empty")
    }
    var parser = GGUFParser(base: base, count: mapping.count, file: url)
    let header = try parser.parseHeader()
    version = header.version
    metadata = header.metadata
    metadataKeys = header.metadataKeys
    tensors = header.tensors
    alignment = header.alignment
    dataOffset = header.dataOffset
    var index: [String: Int] = [:]
    index.reserveCapacity(header.tensors.count)
    for (position, tensor) in header.tensors.enumerated() { index[tensor.name] = position }
    self.index = index
    tensorNames = header.tensors.map(\.name).sorted()
  }

  /// The GGUF description of one tensor, or `nil` if there is no tensor of that name.
  public func tensor(named name: String) -> GGUFTensorInfo? {
    index[name].map { tensors[$0] }
  }

  /// Describes one tensor; ``TensorInfo/storedType`` is the ggml type name (`"Q4_1"`, …).
  public func info(for name: String) -> TensorInfo? {
    tensor(named: name).map {
      TensorInfo(name: $0.name, storedType: $0.type.name, shape: $0.shape, file: url)
    }
  }

  /// Checks that every tensor has a type ``floats(_:)`` can convert.
  ///
  /// - Throws: ``CheckpointError/unsupportedDType(file:tensor:dtype:)`` for the first tensor
  ///   (in file order) whose ggml type cannot be dequantized, naming the type.
  public func validate() throws(CheckpointError) {
    if let tensor = tensors.first(where: { !$0.type.canDequantize }) {
      throw .unsupportedDType(file: url, tensor: tensor.name, dtype: tensor.type.name)
    }
  }

  /// Reads one tensor and dequantizes it to `Float`, in row-major order.
  ///
  /// - Parameter name: the tensor's name.
  /// - Returns: ``GGUFTensorInfo/elementCount`` floats; values are bit-identical to
  ///   gguf-py's `gguf.quants.dequantize`.
  /// - Throws: ``CheckpointError/missingTensor(name:file:)`` if there is no such tensor,
  ///   ``CheckpointError/unsupportedDType(file:tensor:dtype:)`` if its type cannot be converted.
  /// - Complexity: O(elements); allocates only the result. Safe to call from several threads.
  public func floats(_ name: String) throws(CheckpointError) -> [Float] {
    guard let tensor = tensor(named: name) else {
      throw .missingTensor(name: name, file: url)
    }
    guard let kernel = tensor.type.kernel, let blockSize = tensor.type.blockSize,
      let base = mapping.bytes
    else {
      throw .unsupportedDType(file: url, tensor: name, dtype: tensor.type.name)
    }
    let count = tensor.elementCount
    let source = base + tensor.dataOffset
    return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
      if let output = buffer.baseAddress, count > 0 {
        kernel(output, source, count / blockSize)
      }
      initialized = count
    }
  }

  /// Calls `body` with the tensor's raw stored bytes (for kernels that work on quantized data).
  ///
  /// The buffer points into the memory map and is valid only during `body`.
  ///
  /// - Throws: ``CheckpointError/missingTensor(name:file:)`` if there is no such tensor,
  ///   ``CheckpointError/unsupportedDType(file:tensor:dtype:)`` if its type is unknown.
  public func withRawBytes<Result>(
    of name: String, _ body: (UnsafeRawBufferPointer) -> Result
  ) throws(CheckpointError) -> Result {
    guard let tensor = tensor(named: name) else {
      throw .missingTensor(name: name, file: url)
    }
    guard let byteCount = tensor.byteCount, let base = mapping.bytes else {
      throw .unsupportedDType(file: url, tensor: name, dtype: tensor.type.name)
    }
    return body(UnsafeRawBufferPointer(start: base + tensor.dataOffset, count: byteCount))
  }
}
