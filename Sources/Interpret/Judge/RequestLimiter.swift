import Foundation

/// At most `limit` holders at once; the others wait in order of arrival (an async semaphore).
actor RequestLimiter {
  private let limit: Int
  private var holders = 0
  private var waiting: [CheckedContinuation<Void, Never>] = []

  init(limit: Int) { self.limit = max(1, limit) }

  /// Waits for a free place and takes it.
  func acquire() async {
    if holders < limit {
      holders += 1
      return
    }
    await withCheckedContinuation { waiting.append($0) }
  }

  /// Gives a place back, handing it to the longest waiter.
  func release() {
    if waiting.isEmpty {
      holders -= 1
    } else {
      waiting.removeFirst().resume()
    }
  }
}
