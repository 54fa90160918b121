import Checkpoints
import Dispatch
import Foundation
import HookPoints
import Models
import TensorCore
import TestSupport
import Testing

/// Forward passes carry their own compute context: several run at once in one process, and a
/// hook may run a pass itself, with no process-wide lock or thread setting involved.
@Suite struct ConcurrentForwardTests {
  /// Each pass must equal its single-threaded result within this (thread splits may change the
  /// last bits of a product).
  static let tolerance: Float = 1e-5

  static let points: [HookPoint] = [.residualPost(layer: 0), .mlpInput(layer: 1), .logits]

  /// Runs `body` on a background thread and waits at most `seconds`: a deadlock fails the test
  /// instead of hanging it.
  static func finishes(within seconds: Double, _ body: @escaping @Sendable () -> Void) -> Bool {
    let done = DispatchSemaphore(value: 0)
    Thread.detachNewThread {
      body()
      done.signal()
    }
    return done.wait(timeout: .now() + seconds) == .success
  }

  static func record(_ model: LlamaModel, _ batch: [[Int32]], threads: Int) throws -> [HookPoint: [Float]] {
    var recorder = ActivationRecorder(points)
    try model.forward(
      batch: batch, state: LlamaRunState(configuration: model.configuration), hooks: &recorder,
      context: ComputeContext(threads: threads))
    return recorder.values
  }

  @Test func twoPassesWithDifferentThreadCountsRunAtOnce() throws {
    let model = try LlamaModel.load(from: Fixtures.model("tiny-llama3-gqa"))
    let golden = try SafetensorsFile(Fixtures.golden("tiny-llama3-gqa"))
    let batch = try (0..<5).map { try golden.int32s("s\($0).token_ids") }
    let reference = try Self.record(model, batch, threads: 1)

    final class Results: @unchecked Sendable {
      // Written by two threads at distinct keys, read after both finished.
      let lock = NSLock()
      var values: [Int: [HookPoint: [Float]]] = [:]
      var errors: [String] = []
    }
    let results = Results()
    let finished = Self.finishes(within: 120) {
      DispatchQueue.concurrentPerform(iterations: 2) { i in
        let threads = i == 0 ? 1 : 3
        for _ in 0..<20 {
          do {
            let values = try Self.record(model, batch, threads: threads)
            results.lock.lock()
            results.values[threads] = values
            results.lock.unlock()
          } catch {
            results.lock.lock()
            results.errors.append("\(error)")
            results.lock.unlock()
          }
        }
      }
    }
    #expect(finished, "concurrent forward passes did not finish (deadlock?)")
    #expect(results.errors.isEmpty, "\(results.errors)")
    for threads in [1, 3] {
      for point in Self.points {
        let got = try #require(results.values[threads]?[point])
        let diff = maxAbsDiff(got, reference[point]!)
        #expect(diff <= Self.tolerance, "\(threads) threads, \(point): maxdiff \(diff)")
      }
    }
  }

  /// A hook that runs a whole pass of its own while the outer pass is stopped at a hook point.
  struct NestingHook: ForwardHook {
    let model: LlamaModel
    let batch: [[Int32]]
    let points: Set<HookPoint> = [.residualPost(layer: 0), .logits]
    var outer: [HookPoint: [Float]] = [:]
    var inner: [HookPoint: [Float]]?

    mutating func visit(_ point: HookPoint, _ activations: ActivationView) throws {
      outer[point] = Array(activations.values)
      if point == .residualPost(layer: 0) {
        inner = try ConcurrentForwardTests.record(model, batch, threads: 2)
      }
    }
  }

  @Test func aHookMayRunAForwardPassItself() throws {
    let model = try LlamaModel.load(from: Fixtures.model("tiny-llama3-gqa"))
    let golden = try SafetensorsFile(Fixtures.golden("tiny-llama3-gqa"))
    let batch = try (0..<5).map { try golden.int32s("s\($0).token_ids") }
    let reference = try Self.record(model, batch, threads: 1)

    final class Box: @unchecked Sendable {
      // Written by the worker thread before it signals, read after the wait.
      var hook: NestingHook?
      var error: (any Error)?
    }
    let box = Box()
    let finished = Self.finishes(within: 60) {
      var hook = NestingHook(model: model, batch: batch)
      do {
        try model.forward(
          batch: batch, state: LlamaRunState(configuration: model.configuration), hooks: &hook,
          context: ComputeContext(threads: 2))
        box.hook = hook
      } catch {
        box.error = error
      }
    }
    #expect(finished, "a hook running a forward pass deadlocked")
    #expect(box.error == nil)
    let hook = try #require(box.hook)
    let inner = try #require(hook.inner)
    for point in Self.points {
      #expect(maxAbsDiff(try #require(inner[point]), reference[point]!) <= Self.tolerance, "inner \(point)")
    }
    for point in hook.points {
      #expect(maxAbsDiff(try #require(hook.outer[point]), reference[point]!) <= Self.tolerance, "outer \(point)")
    }
  }
}
