import JSONSupport

/// A hook name that does not exist in this model. Names come from flags and from files (an
/// autoencoder's `config.json`), so messages show them through ``UntrustedText``.
public enum HookError: Error, CustomStringConvertible, Equatable {
  case unknownName(String)
  case layerOutOfRange(name: String, layer: Int, layerCount: Int)
  case empty
  /// A per-layer site given without a layer.
  case missingLayer(site: HookSite)

  public var description: String {
    switch self {
    case .unknownName(let name):
      "unknown hook '\(UntrustedText.describe(name))'; use blocks.L.{hook_resid_pre,hook_attn_out,hook_resid_mid,ln2.hook_normalized,hook_mlp_out,hook_resid_post}, ln_final.hook_normalized, logits, or shorthands such as resid_post:all, mlp_in:0,5"
    case .layerOutOfRange(let name, let layer, let count):
      "hook '\(UntrustedText.describe(name))': layer \(layer) does not exist; the model has layers 0…\(count - 1)"
    case .empty:
      "no hooks given"
    case .missingLayer(let site):
      "hook site '\(site.rawValue)' needs a layer"
    }
  }
}
