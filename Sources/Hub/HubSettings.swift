import Checkpoints
import Foundation

/// Where the Hub is and who the user is there, read from the environment as Python's
/// `huggingface_hub` reads it.
///
/// - `HF_ENDPOINT`: the Hub's URL (default `https://huggingface.co`), for mirrors and tests.
/// - `HF_TOKEN` (or the older `HUGGING_FACE_HUB_TOKEN`), else the token file `huggingface-cli
///   login` writes (`$HF_TOKEN_PATH`, else `$HF_HOME/token`, else `~/.cache/huggingface/token`).
///   The token is sent as `Authorization: Bearer …` and never shown.
/// - `HF_HOME`, `HF_HUB_CACHE`: the cache (``HubCache``); `HF_HUB_OFFLINE=1`: no network.
public struct HubSettings: Sendable {
  /// The Hub's base URL, without a trailing slash.
  public var endpoint: URL
  /// The access token, or `nil`.
  let token: String?
  /// The local cache.
  public var cache: HubCache
  /// Whether the network is off limits.
  public var offline: Bool

  /// The default endpoint.
  public static let defaultEndpoint = URL(string: "https://huggingface.co")!

  /// Settings read from `environment`.
  public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
    func nonEmpty(_ name: String) -> String? {
      environment[name].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
    }
    var endpointText = nonEmpty("HF_ENDPOINT") ?? Self.defaultEndpoint.absoluteString
    while endpointText.hasSuffix("/") { endpointText.removeLast() }
    endpoint = URL(string: endpointText) ?? Self.defaultEndpoint
    cache = HubCache(environment: environment)
    offline = HubCache.isOffline(environment: environment)
    if let token = nonEmpty("HF_TOKEN") ?? nonEmpty("HUGGING_FACE_HUB_TOKEN") {
      self.token = token
    } else {
      let home =
        nonEmpty("HF_HOME").map { URL(fileURLWithPath: $0) }
        ?? URL(fileURLWithPath: NSHomeDirectory()).appendingPathComponent(".cache/huggingface")
      let file = nonEmpty("HF_TOKEN_PATH").map { URL(fileURLWithPath: $0) } ?? home.appendingPathComponent("token")
      let text = (try? String(contentsOf: file, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
      token = (text?.isEmpty ?? true) ? nil : text
    }
  }

  /// Settings given explicitly (tests, embedding).
  public init(endpoint: URL, token: String?, cache: HubCache, offline: Bool = false) {
    self.endpoint = endpoint
    self.token = token
    self.cache = cache
    self.offline = offline
  }

  /// Whether a token was found.
  public var hasToken: Bool { token != nil }
}
