import Synchronization

/// A request to stop a long computation early, set from anywhere (a signal handler's queue,
/// another thread) and checked by the computation between units of work.
///
/// ```swift
/// let cancellation = Cancellation()
/// signalSource.setEventHandler { cancellation.cancel(reason: .interrupt) }
/// try extractor.run(cancellation: cancellation)  // throws ExtractionError.cancelled
/// ```
///
/// The one stop request of `bae`: extraction and training check it between batches, HTTP
/// transfers through libcurl's progress callback.
public final class Cancellation: Sendable {
  /// Why the computation was asked to stop.
  public enum Reason: Int, Sendable {
    /// The program's own request (a cancelled task, a closed window): no signal.
    case requested = 0
    /// An interrupt (SIGINT, Ctrl-C).
    case interrupt = 2
    /// A termination request (SIGTERM).
    case terminate = 15
  }

  private let state = Mutex<Reason?>(nil)

  /// A request not yet made.
  public init() {}

  /// Asks the computation to stop; the first reason given is kept.
  public func cancel(reason: Reason = .interrupt) {
    state.withLock { if $0 == nil { $0 = reason } }
  }

  /// Why stopping was asked for, or `nil` while it has not been.
  public var reason: Reason? { state.withLock { $0 } }

  /// Whether stopping was asked for.
  public var isCancelled: Bool { reason != nil }
}
