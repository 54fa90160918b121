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
  /// Directory of the on-disk response cache.
  var cache: URL
}

/// The one place `bae` builds its judge client.
enum JudgeFactory {
  /// The judge `settings` describe.
  ///
  /// - Throws: ``CommandError`` (for now always: the HTTP client is built in another branch and
  ///   is wired in here when it lands).
  static func make(_ settings: JudgeSettings) throws -> any JudgeClient {
    throw CommandError(
      "judge client not yet available: this build of bae cannot reach \(settings.url); "
        + "use --records-only now and --from-records DIR once it can")
  }
}
