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
public enum HookPoint: Hashable, Sendable, CustomStringConvertible {
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

  /// The point named by a shorthand (`resid_post`, `mlp_in`, …) at `layer`.
  static func shorthandPoint(_ key: String, layer: Int) -> HookPoint? {
    key == "mlp_in" ? .mlpInput(layer: layer) : layerPoint(suffix: "hook_" + key, layer: layer)
  }

  /// Parses one full hook name (`blocks.L.hook_resid_post`, `ln_final.hook_normalized`, `logits`).
  ///
  /// - Throws: ``HookError`` for an unknown name or a layer outside `0..<layerCount`.
  public init(name: String, layerCount: Int) throws(HookError) {
    if name == "logits" { self = .logits; return }
    if name == "ln_final.hook_normalized" { self = .finalNorm; return }
    let parts = name.split(separator: ".", maxSplits: 2).map(String.init)
    guard parts.count == 3, parts[0] == "blocks", let layer = Int(parts[1]),
      let point = Self.layerPoint(suffix: parts[2], layer: layer)
    else { throw .unknownName(name) }
    guard (0..<layerCount).contains(layer) else {
      throw .layerOutOfRange(name: name, layer: layer, layerCount: layerCount)
    }
    self = point
  }

  /// Parses a comma-separated hook list with shorthands, e.g.
  /// `resid_post:all`, `mlp_in:0,5,11`, `blocks.3.hook_attn_out,logits`.
  ///
  /// Shorthands: `resid_pre`, `attn_out`, `resid_mid`, `mlp_in` (= `ln2.hook_normalized`),
  /// `mlp_out`, `resid_post`, each followed by `:all` or `:L,L,…` (layers may also be
  /// ranges `a-b`). The result is sorted in execution order without duplicates.
  public static func parseList(_ list: String, layerCount: Int) throws(HookError) -> [HookPoint] {
    var result: [HookPoint] = []
    var current: String?
    for rawItem in list.split(separator: ",") {
      var item = rawItem.trimmingCharacters(in: .whitespaces)
      if let colon = item.firstIndex(of: ":") {
        let key = String(item[..<colon])
        guard shorthandPoint(key, layer: 0) != nil else { throw .unknownName(key) }
        current = key
        item = String(item[item.index(after: colon)...])
        if item == "all" {
          result += (0..<layerCount).compactMap { shorthandPoint(key, layer: $0) }
          current = nil
          continue
        }
      }
      if let key = current, let layers = parseLayers(item) {
        for layer in layers {
          guard let point = shorthandPoint(key, layer: layer), (0..<layerCount).contains(layer) else {
            throw .layerOutOfRange(name: "\(key):\(layer)", layer: layer, layerCount: layerCount)
          }
          result.append(point)
        }
        continue
      }
      current = nil
      result.append(try HookPoint(name: item, layerCount: layerCount))
    }
    guard !result.isEmpty else { throw .empty }
    var seen = Set<HookPoint>()
    return result.filter { seen.insert($0).inserted }.sorted { $0.executionOrder < $1.executionOrder }
  }

  private static func parseLayers(_ item: String) -> [Int]? {
    if let n = Int(item) { return [n] }
    let bounds = item.split(separator: "-").compactMap { Int($0) }
    if bounds.count == 2, bounds[0] <= bounds[1] { return Array(bounds[0]...bounds[1]) }
    return nil
  }
}

/// A hook name that does not exist in this model.
public enum HookError: Error, CustomStringConvertible, Equatable {
  case unknownName(String)
  case layerOutOfRange(name: String, layer: Int, layerCount: Int)
  case empty

  public var description: String {
    switch self {
    case .unknownName(let name):
      "unknown hook '\(name)'; use blocks.L.{hook_resid_pre,hook_attn_out,hook_resid_mid,ln2.hook_normalized,hook_mlp_out,hook_resid_post}, ln_final.hook_normalized, logits, or shorthands such as resid_post:all, mlp_in:0,5"
    case .layerOutOfRange(let name, let layer, let count):
      "hook '\(name)': layer \(layer) does not exist; the model has layers 0…\(count - 1)"
    case .empty:
      "no hooks given"
    }
  }
}

import Foundation
