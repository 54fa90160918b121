import HookPoints

/// One recorded hook of a feature set: its name (the tensor name in safetensors shards, the file
/// stem in npy shards), where it sits in the model, and its row width.
///
/// Consumers use ``site`` and ``layer`` (or ``point``) rather than parsing `blocks.L…` names.
public struct HookRecord: Codable, Sendable, Hashable, CustomStringConvertible {
  /// Hook name, e.g. `blocks.12.hook_resid_post`.
  public var name: String
  /// The block, or `nil` for `ln_final.hook_normalized` and `logits`.
  public var layer: Int?
  /// The kind of point.
  public var site: HookSite
  /// Values per row.
  public var width: Int

  /// The record of `point` with rows of `width` values.
  public init(point: HookPoint, width: Int) {
    name = point.name
    layer = point.layer
    site = point.site
    self.width = width
  }

  /// The hook point this record names.
  public var point: HookPoint {
    // `site` and `layer` come from a valid point (the initialisers check), so this cannot fail.
    (try? HookPoint(site: site, layer: layer)) ?? .logits
  }

  public var description: String { "\(name) [n, \(width)]" }

  enum CodingKeys: String, CodingKey { case name, layer, site, width }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    name = try c.decode(String.self, forKey: .name)
    width = try c.decode(Int.self, forKey: .width)
    let point: HookPoint
    do {
      point = try HookPoint(name: name)
    } catch {
      throw DecodingError.dataCorruptedError(forKey: .name, in: c, debugDescription: error.description)
    }
    layer = point.layer
    site = point.site
    if let recordedSite = try c.decodeIfPresent(HookSite.self, forKey: .site), recordedSite != site {
      throw DecodingError.dataCorruptedError(
        forKey: .site, in: c, debugDescription: "site \(recordedSite.rawValue) contradicts name \(name)")
    }
    if let recordedLayer = try c.decodeIfPresent(Int.self, forKey: .layer), recordedLayer != layer {
      throw DecodingError.dataCorruptedError(
        forKey: .layer, in: c, debugDescription: "layer \(recordedLayer) contradicts name \(name)")
    }
    guard width > 0 else {
      throw DecodingError.dataCorruptedError(forKey: .width, in: c, debugDescription: "width must be positive")
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(name, forKey: .name)
    try c.encodeIfPresent(layer, forKey: .layer)
    try c.encode(site, forKey: .site)
    try c.encode(width, forKey: .width)
  }
}
