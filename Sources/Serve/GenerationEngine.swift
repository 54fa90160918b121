import Foundation
import Models
import Synchronization
import TensorCore
import Tokenizers

/// What a queued generation reports, in order: text deltas, then one end.
enum EngineEvent: Sendable {
  case text(String)
  case finished(GenerationResult)
  case failed(String)
}

/// One queued generation.
final class EngineJob: Sendable {
  let promptTokens: [Int32]
  let options: GenerationOptions
  let events: AsyncStream<EngineEvent>.Continuation
  private let cancelled = Atomic<Bool>(false)

  init(promptTokens: [Int32], options: GenerationOptions, events: AsyncStream<EngineEvent>.Continuation) {
    self.promptTokens = promptTokens
    self.options = options
    self.events = events
  }

  var isCancelled: Bool { cancelled.load(ordering: .relaxed) }
  func cancel() { cancelled.store(true, ordering: .relaxed) }
}

/// Runs every generation of the server on one dedicated thread with continuous batching: up to
/// `maxBatch` sequences, each with its own ``KVCache`` from a preallocated pool, advance together
/// one packed step at a time (a newcomer's prefill joins the others' decode step); requests beyond
/// that wait in a bounded queue, and beyond the queue are refused.
///
/// The model is shared read-only; the caches, the ``DecodeState`` and the sequences are touched by
/// the engine thread only. Compute never runs on Swift's cooperative pool, so the HTTP server
/// stays responsive while it generates.
final class GenerationEngine: Sendable {
  private struct Queue {
    var pending: [EngineJob] = []
    var stopped = false
  }

  let model: LlamaModel
  let tokenizer: any Tokenizer
  let maxBatch: Int
  let maxQueue: Int
  let contextLength: Int
  let compute: ComputeContext
  private let queue = Mutex(Queue())
  private let wakeUp = DispatchSemaphore(value: 0)
  private let done = DispatchSemaphore(value: 0)

  init(model: LlamaModel, tokenizer: any Tokenizer, options: ServerOptions) {
    self.model = model
    self.tokenizer = tokenizer
    maxBatch = options.maxBatch
    maxQueue = options.maxQueue
    contextLength = options.contextLength
    compute = options.compute
  }

  /// Starts the engine thread.
  func start() {
    let thread = Thread { [self] in
      run()
      done.signal()
    }
    thread.name = "bae-serve-engine"
    thread.start()
  }

  /// Stops the engine thread after the current step; queued jobs fail.
  func stop() {
    let first = queue.withLock { q -> Bool in
      defer { q.stopped = true }
      return !q.stopped
    }
    guard first else { return }
    wakeUp.signal()
    done.wait()
  }

  /// Queues a generation and returns its events.
  ///
  /// - Returns: nil when the queue is full (the caller answers 503).
  func submit(promptTokens: [Int32], options: GenerationOptions) -> AsyncStream<EngineEvent>? {
    let (stream, continuation) = AsyncStream<EngineEvent>.makeStream()
    let job = EngineJob(promptTokens: promptTokens, options: options, events: continuation)
    continuation.onTermination = { _ in job.cancel() }
    let accepted = queue.withLock { q -> Bool in
      guard !q.stopped, q.pending.count < maxQueue + maxBatch else { return false }
      q.pending.append(job)
      return true
    }
    guard accepted else { return nil }
    wakeUp.signal()
    return stream
  }

  /// Jobs waiting (including those about to join the batch).
  var waiting: Int { queue.withLock { $0.pending.count } }

  private func run() {
    let state = DecodeState(configuration: model.configuration)
    var freeCaches: [KVCache] = []
    var active: [(job: EngineJob, sequence: GenerationSequence)] = []
    while true {
      let (stopped, newJobs) = queue.withLock { q -> (Bool, [EngineJob]) in
        let room = max(0, maxBatch - active.count)
        let taken = Array(q.pending.prefix(room))
        q.pending.removeFirst(taken.count)
        return (q.stopped, taken)
      }
      if stopped {
        let left = queue.withLock { q in
          defer { q.pending.removeAll() }
          return q.pending
        }
        for job in active.map(\.job) + newJobs + left {
          job.events.yield(.failed("the server is shutting down"))
          job.events.finish()
        }
        return
      }
      for job in newJobs {
        if job.isCancelled {
          job.events.finish()
          continue
        }
        let cache = freeCaches.popLast() ?? KVCache(configuration: model.configuration, capacity: contextLength)
        do {
          let sequence = try GenerationSequence(
            promptTokens: job.promptTokens, options: job.options, tokenizer: tokenizer, cache: cache)
          active.append((job, sequence))
        } catch {
          freeCaches.append(cache)
          job.events.yield(.failed(error.description))
          job.events.finish()
        }
      }
      // Drop jobs whose client went away.
      active.removeAll { entry in
        guard entry.job.isCancelled else { return false }
        freeCaches.append(entry.sequence.cache)
        entry.job.events.finish()
        return true
      }
      if active.isEmpty {
        wakeUp.wait()
        continue
      }
      do {
        let deltas = try Generator.step(active.map(\.sequence), model: model, state: state, context: compute)
        for (i, entry) in active.enumerated() where !deltas[i].isEmpty {
          entry.job.events.yield(.text(deltas[i]))
        }
      } catch {
        for entry in active {
          entry.job.events.yield(.failed(error.description))
          entry.sequence.abandon()
        }
      }
      active.removeAll { entry in
        let sequence = entry.sequence
        guard sequence.isFinished else { return false }
        if let reason = sequence.stopReason {
          entry.job.events.yield(
            .finished(
              GenerationResult(
                promptTokenCount: sequence.promptTokens.count, tokens: sequence.tokens, text: sequence.text,
                stopReason: reason)))
        }
        entry.job.events.finish()
        freeCaches.append(sequence.cache)
        return true
      }
    }
  }
}
