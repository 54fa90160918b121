/// The one table of checkpoint tensor names for Llama models, in Hugging Face and GGUF
/// (llama.cpp) spellings.
public enum LlamaWeightNames {
  /// A tensor of the model, independent of file format.
  public enum Tensor: Hashable, Sendable, CaseIterable {
    case tokenEmbedding, finalNorm, lmHead
    case attentionNorm, query, key, value, attentionOutput
    case mlpNorm, gate, up, down

    /// Tensors that occur once per layer.
    public static let perLayer: [Tensor] = [
      .attentionNorm, .query, .key, .value, .attentionOutput, .mlpNorm, .gate, .up, .down,
    ]
  }

  /// The Hugging Face (`LlamaForCausalLM.state_dict()`) name.
  public static func huggingFace(_ tensor: Tensor, layer: Int = 0) -> String {
    let l = "model.layers.\(layer)."
    switch tensor {
    case .tokenEmbedding: return "model.embed_tokens.weight"
    case .finalNorm: return "model.norm.weight"
    case .lmHead: return "lm_head.weight"
    case .attentionNorm: return l + "input_layernorm.weight"
    case .query: return l + "self_attn.q_proj.weight"
    case .key: return l + "self_attn.k_proj.weight"
    case .value: return l + "self_attn.v_proj.weight"
    case .attentionOutput: return l + "self_attn.o_proj.weight"
    case .mlpNorm: return l + "post_attention_layernorm.weight"
    case .gate: return l + "mlp.gate_proj.weight"
    case .up: return l + "mlp.up_proj.weight"
    case .down: return l + "mlp.down_proj.weight"
    }
  }

  /// The GGUF (llama.cpp `LLM_TENSOR_NAMES`) name.
  public static func gguf(_ tensor: Tensor, layer: Int = 0) -> String {
    let l = "blk.\(layer)."
    switch tensor {
    case .tokenEmbedding: return "token_embd.weight"
    case .finalNorm: return "output_norm.weight"
    case .lmHead: return "output.weight"
    case .attentionNorm: return l + "attn_norm.weight"
    case .query: return l + "attn_q.weight"
    case .key: return l + "attn_k.weight"
    case .value: return l + "attn_v.weight"
    case .attentionOutput: return l + "attn_output.weight"
    case .mlpNorm: return l + "ffn_norm.weight"
    case .gate: return l + "ffn_gate.weight"
    case .up: return l + "ffn_up.weight"
    case .down: return l + "ffn_down.weight"
    }
  }

  /// GGUF's per-frequency RoPE divisors `[headDim/2]` (llama.cpp's `LLM_TENSOR_ROPE_FREQS`,
  /// how it stores Llama 3.1 scaling); read into the configuration, not the weights.
  public static let ggufRoPEFrequencies = "rope_freqs.weight"

  /// The suffix of the rotary caches older transformers checkpoints carry
  /// (`model.layers.N.self_attn.rotary_emb.inv_freq`); recomputed, never read.
  public static let huggingFaceRotaryCacheSuffix = "rotary_emb.inv_freq"

  /// Whether a checkpoint tensor that is not a weight may be left over without error: rotary
  /// caches and GGUF's RoPE frequency table.
  public static func isAuxiliary(_ name: String) -> Bool {
    name.hasSuffix(huggingFaceRotaryCacheSuffix) || name == ggufRoPEFrequencies
  }

  /// The row-major shape the configuration implies, as Hugging Face stores it.
  public static func shape(_ tensor: Tensor, _ c: LlamaConfiguration) -> [Int] {
    switch tensor {
    case .tokenEmbedding, .lmHead: return [c.vocabularySize, c.hiddenSize]
    case .finalNorm, .attentionNorm, .mlpNorm: return [c.hiddenSize]
    case .query: return [c.queryWidth, c.hiddenSize]
    case .key, .value: return [c.keyValueWidth, c.hiddenSize]
    case .attentionOutput: return [c.hiddenSize, c.queryWidth]
    case .gate, .up: return [c.intermediateSize, c.hiddenSize]
    case .down: return [c.hiddenSize, c.intermediateSize]
    }
  }
}
