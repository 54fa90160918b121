import Dispatch

/// Splits `0..<count` into `workers` contiguous chunks and runs `body` on each concurrently.
///
/// - Parameters:
///   - count: number of items.
///   - workers: maximum number of concurrent chunks (1 runs inline).
///   - body: called with the worker index and its item range; must be safe to run concurrently.
@inlinable
public func parallelChunks(_ count: Int, workers: Int, _ body: (Int, Range<Int>) -> Void) {
  let chunks = max(1, min(workers, count))
  if chunks == 1 {
    body(0, 0..<count)
    return
  }
  withoutActuallyEscaping(body) { body in
    // The chunks are disjoint and `body` is documented as safe to run concurrently; the
    // compiler cannot see that through raw pointers.
    nonisolated(unsafe) let body = body
    DispatchQueue.concurrentPerform(iterations: chunks) { worker in
      let start = count * worker / chunks
      let end = count * (worker + 1) / chunks
      body(worker, start..<end)
    }
  }
}
