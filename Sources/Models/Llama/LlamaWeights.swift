import Checkpoints
import Foundation
import Synchronization
import TensorCore

/// The parameters of one decoder block, in Hugging Face layout: norm gains as `Float`, matrices
/// in the model's ``LlamaWeights/precision``.
public struct LlamaLayerWeights: Sendable {
  /// `input_layernorm` gain `[d]`.
  public var attentionNorm: [Float]
  /// `q_proj` `[heads·headDim, d]`.
  public var query: WeightMatrix
  /// `k_proj` `[kvHeads·headDim, d]`.
  public var key: WeightMatrix
  /// `v_proj` `[kvHeads·headDim, d]`.
  public var value: WeightMatrix
  /// `o_proj` `[d, heads·headDim]`.
  public var attentionOutput: WeightMatrix
  /// `post_attention_layernorm` gain `[d]`.
  public var mlpNorm: [Float]
  /// `gate_proj` `[ffn, d]`.
  public var gate: WeightMatrix
  /// `up_proj` `[ffn, d]`.
  public var up: WeightMatrix
  /// `down_proj` `[d, ffn]`.
  public var down: WeightMatrix
}

/// All parameters of a Llama model: norm gains as `Float`, the embedding table and every matrix
/// stored once in ``precision``. Built only by ``LlamaWeights/load(from:configuration:naming:origin:precision:)``.
public struct LlamaWeights: Sendable {
  /// How the matrices and the embedding table are stored (and so how products are computed).
  public var precision: Precision
  /// `embed_tokens` `[vocab, d]`.
  public var tokenEmbedding: WeightMatrix
  /// Blocks, in order.
  public var layers: [LlamaLayerWeights]
  /// Final `norm` gain `[d]`.
  public var finalNorm: [Float]
  /// `lm_head` `[vocab, d]`, or `nil` when tied to ``tokenEmbedding``.
  public var lmHead: WeightMatrix?

  /// How checkpoint names are spelled, and how a tensor must be fixed up after reading.
  public enum Naming: Sendable {
    /// `model.layers.N.self_attn.q_proj.weight`, …
    case huggingFace
    /// `blk.N.attn_q.weight`, …, with llama.cpp's row permutation of `attn_q`/`attn_k`.
    case gguf

    func name(_ tensor: LlamaWeightNames.Tensor, layer: Int) -> String {
      switch self {
      case .huggingFace: LlamaWeightNames.huggingFace(tensor, layer: layer)
      case .gguf: LlamaWeightNames.gguf(tensor, layer: layer)
      }
    }
  }

  /// Reads every tensor the configuration needs from `store`, checking names and shapes, and
  /// failing on missing or left-over tensors.
  ///
  /// Tensors are read in parallel (conversion from f16/bf16/quantized types dominates). With
  /// `precision` `bf16` each matrix is rounded to bfloat16 as soon as it is read (ties to even;
  /// exact for bf16 checkpoints), so the f32 copy of the whole model never exists at once.
  ///
  /// - Parameter precision: how to store the matrices and the embedding table (norm gains stay f32).
  /// - Throws: ``CheckpointError`` naming the tensor and file.
  public static func load(
    from store: any TensorStore, configuration c: LlamaConfiguration, naming: Naming = .huggingFace,
    origin: URL, precision: Precision = .float32
  ) throws(CheckpointError) -> LlamaWeights {
    typealias T = LlamaWeightNames.Tensor
    let available = Set(store.tensorNames)
    // Checked before any name list is built: a header claiming 10^7 layers must cost an error,
    // not gigabytes of names.
    guard c.layerCount <= available.count / T.perLayer.count else {
      throw .invalidConfig(
        file: origin, field: naming == .gguf ? "llama.block_count" : "num_hidden_layers",
        detail:
          "\(c.layerCount) layers need \(T.perLayer.count) tensors each but the checkpoint holds only \(available.count) tensors"
      )
    }
    var wanted: [(tensor: T, layer: Int)] = [(.tokenEmbedding, 0), (.finalNorm, 0)]
    wanted.reserveCapacity(3 + c.layerCount * T.perLayer.count)
    let lmHeadName = naming.name(.lmHead, layer: 0)
    let tied = c.tieWordEmbeddings || (naming == .gguf && !available.contains(lmHeadName))
    if !tied { wanted.append((.lmHead, 0)) }
    for l in 0..<c.layerCount { for t in T.perLayer { wanted.append((t, l)) } }

    let names = wanted.map { naming.name($0.tensor, layer: $0.layer) }
    let items = wanted
    for (i, item) in wanted.enumerated() {
      let name = names[i]
      guard let info = store.info(for: name) else { throw .missingTensor(name: name, file: origin) }
      let expected = LlamaWeightNames.shape(item.tensor, c)
      guard info.shape == expected else {
        throw .shapeMismatch(name: name, file: info.file, expected: expected, found: info.shape)
      }
    }
    var extra = available.subtracting(names)
    // Checkpoints saved with tied embeddings sometimes still carry lm_head; rotary caches too.
    if tied { extra.remove(lmHeadName) }
    extra = extra.filter { !LlamaWeightNames.isAuxiliary($0) }
    if !extra.isEmpty { throw .unexpectedTensors(names: extra.sorted(), file: origin) }

    // Read (and dequantize) in parallel; each slot is written by exactly one iteration.
    let results = ResultSlots(count: names.count)
    DispatchQueue.concurrentPerform(iterations: names.count) { i in
      do throws(CheckpointError) {
        let isNorm = [T.attentionNorm, .mlpNorm, .finalNorm].contains(items[i].tensor)
        if precision == .bfloat16 && !isNorm && naming == .huggingFace {
          // bf16 checkpoints go straight to bf16 storage.
          results.set(i, .success(WeightMatrix(storage: .bfloat16(try store.bfloat16(names[i])))))
          return
        }
        var values = try store.floats(names[i])
        if naming == .gguf {
          let tensor = items[i].tensor
          if tensor == .query { values = unpermuteRoPERows(values, heads: c.headCount, columns: c.hiddenSize) }
          if tensor == .key { values = unpermuteRoPERows(values, heads: c.kvHeadCount, columns: c.hiddenSize) }
        }
        results.set(i, .success(WeightMatrix(values, precision: isNorm ? .float32 : precision)))
      } catch {
        results.set(i, .failure(error))
      }
    }
    var tensors: [WeightMatrix] = []
    tensors.reserveCapacity(names.count)
    for i in 0..<names.count {
      switch results.get(i) {
      case .success(let values): tensors.append(values)
      case .failure(let error): throw error
      case nil: throw .missingTensor(name: names[i], file: origin)
      }
    }

    var cursor = 0
    func next() -> WeightMatrix {
      defer { cursor += 1 }
      return tensors[cursor]
    }
    let embedding = next()
    let finalNorm = next().floats
    let lmHead = tied ? nil : next()
    var layers: [LlamaLayerWeights] = []
    for _ in 0..<c.layerCount {
      layers.append(
        LlamaLayerWeights(
          attentionNorm: next().floats, query: next(), key: next(), value: next(), attentionOutput: next(),
          mlpNorm: next().floats, gate: next(), up: next(), down: next()))
    }
    return LlamaWeights(
      precision: precision, tokenEmbedding: embedding, layers: layers, finalNorm: finalNorm, lmHead: lmHead)
  }
}

/// Undoes llama.cpp's permutation of `attn_q`/`attn_k` rows (its converter interleaves the two
/// halves of each head for its RoPE kernel).
///
/// For a weight `[rows, columns]` with `heads` heads: view as `[heads, 2, rows/heads/2, columns]`
/// in GGUF order `[heads, rows/heads/2, 2, columns]` and swap the two middle axes.
public func unpermuteRoPERows(_ w: [Float], heads: Int, columns: Int) -> [Float] {
  let rows = w.count / columns
  let headRows = rows / heads
  let half = headRows / 2
  var out = [Float](repeating: 0, count: w.count)
  w.withUnsafeBufferPointer { src in
    out.withUnsafeMutableBufferPointer { dst in
      for h in 0..<heads {
        for i in 0..<half {
          for pair in 0..<2 {
            // GGUF row (h, i, pair) → HF row (h, pair, i).
            let from = (h * headRows + i * 2 + pair) * columns
            let to = (h * headRows + pair * half + i) * columns
            for j in 0..<columns { dst[to + j] = src[from + j] }
          }
        }
      }
    }
  }
  return out
}

/// Per-index result slots filled from a concurrent loop.
final class ResultSlots: Sendable {
  private let slots: Mutex<[Result<WeightMatrix, CheckpointError>?]>
  init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }
  func set(_ i: Int, _ value: Result<WeightMatrix, CheckpointError>) {
    slots.withLock { $0[i] = value }
  }
  func get(_ i: Int) -> Result<WeightMatrix, CheckpointError>? {
    slots.withLock { $0[i] }
  }
}
