/// The kind of a ``HookPoint`` without its layer: what a consumer of a feature set asks
/// ("the MLP input of layer 5") without parsing `blocks.L…` strings.
///
/// Raw values are the shorthands of hook lists (`resid_post:all`, `mlp_in:5`); the two
/// model-level sites use their full names.
public enum HookSite: String, Sendable, Hashable, Codable, CaseIterable {
  /// Residual stream entering a block (`blocks.L.hook_resid_pre`).
  case residualPre = "resid_pre"
  /// Attention output after `o_proj` (`blocks.L.hook_attn_out`).
  case attentionOutput = "attn_out"
  /// `resid_pre + attn_out` (`blocks.L.hook_resid_mid`).
  case residualMid = "resid_mid"
  /// MLP input, RMSNorm of `resid_mid` with its gain (`blocks.L.ln2.hook_normalized`).
  case mlpInput = "mlp_in"
  /// MLP output after `down_proj` (`blocks.L.hook_mlp_out`).
  case mlpOutput = "mlp_out"
  /// `resid_mid + mlp_out` (`blocks.L.hook_resid_post`).
  case residualPost = "resid_post"
  /// Final RMSNorm output (`ln_final.hook_normalized`).
  case finalNorm = "ln_final.hook_normalized"
  /// LM head output (`logits`).
  case logits

  /// Whether points of this site belong to a block (and so carry a layer).
  public var isPerLayer: Bool { self != .finalNorm && self != .logits }
}
