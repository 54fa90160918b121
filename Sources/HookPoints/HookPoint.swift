/// A named place in the forward pass whose activations a caller can read.
///
/// Names follow TransformerLens where the meaning is the same. For a model with `L` layers
/// and Hugging Face's `output_hidden_states` list `hs`:
///
/// | name | meaning | Hugging Face equivalent |
/// |---|---|---|
/// | `blocks.L.hook_resid_pre` | residual stream entering block `L` | `hs[L]` |
/// | `blocks.L.hook_attn_out` | attention output after `o_proj` | `self_attn` output |
/// | `blocks.L.hook_resid_mid` | `resid_pre + attn_out` | `post_attention_layernorm` input |
/// | `blocks.L.ln2.hook_normalized` | MLP input: RMSNorm of `resid_mid`, **gain applied** | `post_attention_layernorm` output, llama.cpp `ffn_norm-L` |
/// | `blocks.L.hook_mlp_out` | MLP output after `down_proj` | `mlp` output |
/// | `blocks.L.hook_resid_post` | `resid_mid + mlp_out` | `hs[L+1]` for `L < last` (the last entry of `hs` is normed) |
/// | `ln_final.hook_normalized` | final RMSNorm output, gain applied | `hs[-1]` |
/// | `logits` | LM head output `[tokens, vocab]` | `logits` |
///
/// Note: TransformerLens's own `ln2.hook_normalized` excludes the gain (it folds it into the
/// next weights); `bae` includes it, since that is what the MLP (and a transcoder) reads.
public enum HookPoint: Hashable, Sendable, CustomStringConvertible, Codable {
  case residualPre(layer: Int)
  case attentionOutput(layer: Int)
  case residualMid(layer: Int)
  case mlpInput(layer: Int)
  case mlpOutput(layer: Int)
  case residualPost(layer: Int)
  case finalNorm
  case logits

  /// The TransformerLens-style name, e.g. `blocks.3.hook_resid_post`.
  public var name: String {
    switch self {
    case .residualPre(let l): "blocks.\(l).hook_resid_pre"
    case .attentionOutput(let l): "blocks.\(l).hook_attn_out"
    case .residualMid(let l): "blocks.\(l).hook_resid_mid"
    case .mlpInput(let l): "blocks.\(l).ln2.hook_normalized"
    case .mlpOutput(let l): "blocks.\(l).hook_mlp_out"
    case .residualPost(let l): "blocks.\(l).hook_resid_post"
    case .finalNorm: "ln_final.hook_normalized"
    case .logits: "logits"
    }
  }

  public var description: String { name }

  /// The block the point belongs to, or `nil` for `ln_final` and `logits`.
  public var layer: Int? {
    switch self {
    case .residualPre(let l), .attentionOutput(let l), .residualMid(let l), .mlpInput(let l),
      .mlpOutput(let l), .residualPost(let l):
      l
    case .finalNorm, .logits: nil
    }
  }

  /// Order of points within one forward pass (for sorting output files).
  public var executionOrder: Int {
    switch self {
    case .residualPre(let l): l * 8
    case .attentionOutput(let l): l * 8 + 1
    case .residualMid(let l): l * 8 + 2
    case .mlpInput(let l): l * 8 + 3
    case .mlpOutput(let l): l * 8 + 4
    case .residualPost(let l): l * 8 + 5
    case .finalNorm: Int.max - 1
    case .logits: Int.max
    }
  }

  /// The kind of point, without its layer.
  public var site: HookSite {
    switch self {
    case .residualPre: .residualPre
    case .attentionOutput: .attentionOutput
    case .residualMid: .residualMid
    case .mlpInput: .mlpInput
    case .mlpOutput: .mlpOutput
    case .residualPost: .residualPost
    case .finalNorm: .finalNorm
    case .logits: .logits
    }
  }

  /// The point of kind `site` at `layer` (`layer` is ignored for ``HookSite/finalNorm`` and
  /// ``HookSite/logits``; required for the others).
  ///
  /// - Throws: ``HookError/missingLayer(site:)`` when a per-layer site has no layer.
  public init(site: HookSite, layer: Int?) throws(HookError) {
    if site == .finalNorm {
      self = .finalNorm
      return
    }
    if site == .logits {
      self = .logits
      return
    }
    guard let layer, layer >= 0 else { throw .missingLayer(site: site) }
    switch site {
    case .residualPre: self = .residualPre(layer: layer)
    case .attentionOutput: self = .attentionOutput(layer: layer)
    case .residualMid: self = .residualMid(layer: layer)
    case .mlpInput: self = .mlpInput(layer: layer)
    case .mlpOutput: self = .mlpOutput(layer: layer)
    case .residualPost: self = .residualPost(layer: layer)
    case .finalNorm, .logits: preconditionFailure("handled above")
    }
  }

  /// Encoded as its name (`"blocks.3.hook_resid_post"`), as manifests and configs store it.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(name)
  }

  /// Decodes a name written by ``encode(to:)``.
  public init(from decoder: any Decoder) throws {
    let name = try decoder.singleValueContainer().decode(String.self)
    do {
      self = try HookPoint(name: name)
    } catch {
      throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
    }
  }

  /// The point named by a per-layer suffix (`hook_resid_post`, …) at `layer`.
  static func layerPoint(suffix: String, layer: Int) -> HookPoint? {
    switch suffix {
    case "hook_resid_pre": .residualPre(layer: layer)
    case "hook_attn_out": .attentionOutput(layer: layer)
    case "hook_resid_mid": .residualMid(layer: layer)
    case "ln2.hook_normalized": .mlpInput(layer: layer)
    case "hook_mlp_out": .mlpOutput(layer: layer)
    case "hook_resid_post": .residualPost(layer: layer)
    default: nil
    }
  }
}
