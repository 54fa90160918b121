import Foundation

/// When the judge client tries again: exponential backoff with jitter, or the server's
/// `Retry-After`.
public struct JudgeRetryPolicy: Sendable, Equatable {
  /// Backoff before the first retry, in seconds.
  public var initialBackoff: Double
  /// The longest backoff, in seconds.
  public var maximumBackoff: Double
  /// The longest `Retry-After` honoured, in seconds.
  public var maximumRetryAfter: Double

  public init(initialBackoff: Double, maximumBackoff: Double, maximumRetryAfter: Double) {
    self.initialBackoff = initialBackoff
    self.maximumBackoff = maximumBackoff
    self.maximumRetryAfter = maximumRetryAfter
  }

  /// Whether an answer with `status` is worth another attempt (rate limits, server errors).
  public static func isRetryable(status: Int) -> Bool { status == 429 || status == 408 || (500..<600).contains(status) }

  /// Seconds to wait before retry number `retry` (0 for the first): `initial · 2^retry`, capped at
  /// the maximum, times a jitter factor in [0.5, 1) from `random` in [0, 1).
  public func backoff(retry: Int, random: Double) -> Double {
    let base = min(maximumBackoff, initialBackoff * pow(2, Double(min(retry, 30))))
    return base * (0.5 + 0.5 * min(max(random, 0), 1))
  }

  /// The wait a `Retry-After` value asks for, capped at ``maximumRetryAfter``: delay-seconds
  /// (`120`) or an HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`); `nil` when absent or unreadable.
  public func retryAfter(_ value: String?, now: Date = Date()) -> Double? {
    guard let seconds = Self.parseRetryAfter(value, now: now) else { return nil }
    return min(maximumRetryAfter, max(0, seconds))
  }

  /// Seconds from `now` named by a `Retry-After` value, or `nil`.
  public static func parseRetryAfter(_ value: String?, now: Date) -> Double? {
    guard let text = value?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
    if let seconds = Double(text), seconds.isFinite { return seconds }
    for format in httpDateFormats {
      let formatter = DateFormatter()
      formatter.locale = Locale(identifier: "en_US_POSIX")
      formatter.timeZone = TimeZone(identifier: "GMT")
      formatter.dateFormat = format
      if let date = formatter.date(from: text) { return date.timeIntervalSince(now) }
    }
    return nil
  }

  /// IMF-fixdate, RFC 850 and asctime (RFC 9110 §5.6.7).
  private static let httpDateFormats = [
    "EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy",
  ]
}

/// SplitMix64: the jitter's small seeded generator (one per client, behind its lock).
struct SplitMix64 {
  var state: UInt64

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A double in [0, 1).
  mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
