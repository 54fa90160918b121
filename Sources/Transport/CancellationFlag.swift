import Foundation

/// A flag one thread sets to stop a transfer another thread runs (libcurl checks it at least once
/// a second through its progress callback).
public final class CancellationFlag: @unchecked Sendable {
  private let lock = NSLock()
  private var cancelled = false

  public init() {}

  /// Asks the transfer to stop; it then fails with ``TransportError/cancelled(url:)``.
  public func cancel() {
    lock.lock()
    cancelled = true
    lock.unlock()
  }

  /// Whether ``cancel()`` was called.
  public var isCancelled: Bool {
    lock.lock()
    defer { lock.unlock() }
    return cancelled
  }
}
