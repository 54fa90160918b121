import Foundation
import Interpret

/// The judge options of `bae interpret`, as given.
struct JudgeSettings {
  /// Base URL of an OpenAI-compatible server (`…/v1` or the server root).
  var url: String
  /// Model name sent in every request.
  var model: String
  /// Environment variable holding the API key (the key itself is never a flag and never logged).
  var keyEnvironmentVariable: String
  /// Requests in flight at most.
  var concurrency: Int
  /// Seconds before one request gives up.
  var timeout: Double
  /// Further attempts after a failed one (429, 5xx, timeouts, lost connections).
  var retries: Int
  /// Directory of the on-disk response cache.
  var cache: URL
}

/// The one place `bae` builds its judge client.
enum JudgeFactory {
  /// The judge `settings` describe: an ``OpenAIJudgeClient`` for the server at `settings.url`.
  ///
  /// A URL with no path (`http://127.0.0.1:8080`) gets `/v1` appended; any other path is used as
  /// given (`https://api.openai.com/v1`, a proxy's own prefix).
  ///
  /// - Throws: ``CommandError`` for a URL that is not http(s).
  static func make(_ settings: JudgeSettings) throws -> OpenAIJudgeClient {
    guard var url = URL(string: settings.url), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
      url.host != nil
    else {
      throw CommandError("--judge-url: \"\(settings.url.prefix(200))\" is not an http:// or https:// URL")
    }
    if url.path.isEmpty || url.path == "/" { url = url.appendingPathComponent("v1") }
    let configuration = OpenAIJudgeConfiguration(
      baseURL: url, model: settings.model, apiKeyEnvironmentVariable: settings.keyEnvironmentVariable,
      requestTimeout: settings.timeout, maximumRetries: settings.retries, concurrency: settings.concurrency, cacheDirectory: settings.cache)
    return OpenAIJudgeClient(configuration: configuration)
  }
}
