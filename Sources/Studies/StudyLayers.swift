import HookPoints

/// Why the layers of a per-layer study cannot be read.
public enum StudyLayerError: Error, CustomStringConvertible, Equatable {
  /// The layer list is empty.
  case noLayers
  /// A layer the model does not have.
  case layerOutOfRange(layer: Int, layerCount: Int)
  /// A model-level site (`logits`, the final norm): the studies read one state per layer.
  case siteWithoutLayer(HookSite)

  public var description: String {
    switch self {
    case .noLayers: "no layers to study"
    case .layerOutOfRange(let l, let n): "layer \(l) is outside the model's 0…\(n - 1)"
    case .siteWithoutLayer(let site): "hook site \(site.rawValue) has no layer; the studies read a per-layer site"
    }
  }
}

/// The points a per-layer study reads: `site` at each of `layers` (every layer when `nil`),
/// checked against a model of `layerCount` layers. The one home of that check for `bae icl` and
/// `bae positions`.
///
/// - Throws: ``StudyLayerError``.
public func studyPoints(layers: [Int]?, site: HookSite, layerCount n: Int) throws(StudyLayerError) -> [(
  layer: Int, point: HookPoint
)] {
  guard site.isPerLayer else { throw .siteWithoutLayer(site) }
  let layers = layers ?? Array(0..<n)
  guard !layers.isEmpty else { throw .noLayers }
  return try layers.map { l throws(StudyLayerError) in
    guard (0..<n).contains(l) else { throw .layerOutOfRange(layer: l, layerCount: n) }
    do {
      return (l, try HookPoint(site: site, layer: l))
    } catch {
      throw .siteWithoutLayer(site)
    }
  }
}
