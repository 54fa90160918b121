/// The SAELens folder (`sae_lens/saes/sae.py` `save_model`, `load_from_disk`; see
/// `shared/reference/interop-formats.md` §1) as `bae` writes and reads it:
///
/// ```
/// <dir>/cfg.json                  architecture, d_in, d_sae, dtype, device, apply_b_dec_to_input, …, metadata
/// <dir>/sae_weights.safetensors   W_enc [d_in, d_sae], b_enc [d_sae], W_dec [d_sae, d_in], b_dec [d_in],
///                                 threshold [d_sae] (JumpReLU only), all F32
/// ```
///
/// Architectures, both ways:
///
/// | bae | SAELens `architecture` | extra keys |
/// | --- | --- | --- |
/// | `relu` | `standard` | |
/// | `transcoder` | `standard` (input hook in `hook_name`, target hook in `metadata.hook_name_out`) | |
/// | `topk` | `topk` | `k`, `rescale_acts_by_decoder_norm: false`, `activation_fn_kwargs: {k}` |
/// | `jumprelu` | `jumprelu` | tensor `threshold` |
/// | `bae` | `bae` (no native SAELens class; register one, see `scripts/sae_from_bae.py`) | `estimator`, `output_activation`, `decoder_bias` |
/// | `batchtopk` | none: its codes depend on the whole batch (export refused) | |
public enum SAELensLayout {
  /// `cfg.json`.
  public static let configName = "cfg.json"
  /// `sae_weights.safetensors`.
  public static let weightsName = "sae_weights.safetensors"
  /// The `metadata.sae_lens_version` written. SAELens reads a config without it, or below 6.0,
  /// through its legacy path (flat keys, `hook_point`), so this must be at least 6.0.
  public static let version = "6.0.0"
  /// The `metadata` key holding the exporting autoencoder's whole ``AutoencoderConfiguration``
  /// (so `bae import` restores it exactly; SAELens ignores it).
  public static let configurationKey = "bae_configuration"

  /// SAELens architecture names `bae` reads.
  public static let readableArchitectures = ["standard", "topk", "jumprelu", "bae"]

  /// The SAELens `architecture` of `architecture`, or `nil` where SAELens has none.
  public static func architectureName(for architecture: Architecture) -> String? {
    switch architecture {
    case .relu, .transcoder: "standard"
    case .topk: "topk"
    case .jumprelu: "jumprelu"
    case .bae: "bae"
    case .batchtopk: nil
    }
  }
}
