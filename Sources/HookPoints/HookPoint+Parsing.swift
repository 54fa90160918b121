import Foundation

extension HookPoint {
  /// The point named by a shorthand (`resid_post`, `mlp_in`, …) at `layer`.
  static func shorthandPoint(_ key: String, layer: Int) -> HookPoint? {
    key == "mlp_in" ? .mlpInput(layer: layer) : layerPoint(suffix: "hook_" + key, layer: layer)
  }

  /// Parses one full hook name (`blocks.L.hook_resid_post`, `ln_final.hook_normalized`, `logits`)
  /// without checking the layer against a model.
  ///
  /// - Throws: ``HookError/unknownName(_:)``.
  public init(name: String) throws(HookError) {
    if name == "logits" {
      self = .logits
      return
    }
    if name == "ln_final.hook_normalized" {
      self = .finalNorm
      return
    }
    let parts = name.split(separator: ".", maxSplits: 2).map(String.init)
    guard parts.count == 3, parts[0] == "blocks", let layer = Int(parts[1]), layer >= 0,
      let point = Self.layerPoint(suffix: parts[2], layer: layer)
    else { throw .unknownName(name) }
    self = point
  }

  /// Parses one full hook name and checks its layer exists in a model of `layerCount` layers.
  ///
  /// - Throws: ``HookError`` for an unknown name or a layer outside `0..<layerCount`.
  public init(name: String, layerCount: Int) throws(HookError) {
    let point = try HookPoint(name: name)
    if let layer = point.layer, !(0..<layerCount).contains(layer) {
      throw .layerOutOfRange(name: name, layer: layer, layerCount: layerCount)
    }
    self = point
  }

  /// Throws unless this point exists in a model of `layerCount` layers.
  public func validate(layerCount: Int) throws(HookError) {
    if let layer, !(0..<layerCount).contains(layer) {
      throw .layerOutOfRange(name: name, layer: layer, layerCount: layerCount)
    }
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
