import ChatAPI
import Foundation

/// What a judge client has spent and done so far (running totals over all its requests).
public struct JudgeUsageTotals: Sendable, Equatable {
  /// Tokens the server reported for the answers it sent (cached answers cost nothing).
  public var tokens: TokenUsage
  /// HTTP requests sent, retries included.
  public var httpRequests: Int
  /// Answers received from the server.
  public var answered: Int
  /// Answers read from the on-disk cache.
  public var cacheHits: Int
  /// Attempts that were retried (429, 5xx, timeouts, lost connections).
  public var retries: Int

  public init(
    tokens: TokenUsage = .zero, httpRequests: Int = 0, answered: Int = 0, cacheHits: Int = 0, retries: Int = 0
  ) {
    self.tokens = tokens
    self.httpRequests = httpRequests
    self.answered = answered
    self.cacheHits = cacheHits
    self.retries = retries
  }

  /// All zero.
  public static let zero = JudgeUsageTotals()
}
