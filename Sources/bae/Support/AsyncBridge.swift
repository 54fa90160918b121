import Foundation

/// The result of an async body, handed from its task to the thread waiting for it.
private final class ResultBox<T>: @unchecked Sendable {
  var result: Result<T, any Error>?
}

/// Runs `body` on the concurrency runtime and blocks the calling (synchronous) command until it
/// finishes, so a `ParsableCommand` can call async library code.
func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
  let box = ResultBox<T>()
  let done = DispatchSemaphore(value: 0)
  Task {
    do {
      box.result = .success(try await body())
    } catch {
      box.result = .failure(error)
    }
    done.signal()
  }
  done.wait()
  return try box.result!.get()
}
