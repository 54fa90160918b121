import Autoencoders
import Foundation
import TensorCore

/// One set of states to estimate the entropy of, with its place in a study.
public struct EntropyJob: Sendable {
  public var layer: Int
  public var hook: String
  /// The study's grouping value (ICL: `k`; positions: the first position of the group).
  public var group: Int
  /// `[N, d]`: the states a BAE is fitted to.
  public var rows: Matrix
  /// Sets each fitted BAE then estimates (`[N_i, d]` each); empty: the fitted rows themselves.
  public var measured: [Matrix]

  public init(layer: Int, hook: String, group: Int, rows: Matrix, measured: [Matrix] = []) {
    self.layer = layer
    self.hook = hook
    self.group = group
    self.rows = rows
    self.measured = measured
  }
}

/// Fits BAEs to many sets at once, one fit per worker thread, each single-threaded: small sets
/// (64 states) keep both cores busier this way than with two-thread products, and every result
/// depends only on its set, settings and seed, not on the thread count.
public enum EntropyFitBatch {
  /// Progress: fits done of all fits.
  public typealias Progress = @Sendable (_ done: Int, _ total: Int) -> Void

  /// Fits `seeds.count` BAEs to every job's rows and returns, per job, the spread over seeds of
  /// the estimate on each of its measured sets (one spread, on the fitted rows, when it has none).
  /// The fitted autoencoders are not kept.
  ///
  /// - Throws: the first ``AutoencoderError`` of a fit (the others finish first).
  public static func run(
    _ jobs: [EntropyJob], settings: EntropyFitSettings, seeds: [UInt64], workers: Int,
    progress: Progress = { _, _ in }
  ) throws(AutoencoderError) -> [[EntropySpread]] {
    precondition(!seeds.isEmpty, "at least one seed")
    let tasks = jobs.indices.flatMap { j in seeds.indices.map { (j, $0) } }
    let results = FitResults(count: tasks.count)
    DispatchQueue.concurrentPerform(iterations: max(1, min(workers, tasks.count))) { _ in
      while let t = results.claim() {
        let (j, s) = tasks[t]
        do throws(AutoencoderError) {
          let fit = try EntropyFit(
            rows: jobs[j].rows, settings: settings, seed: seeds[s], inputHook: jobs[j].hook, context: .serial)
          var measured = jobs[j].measured.map { rows in
            var m = EntropyFit(autoencoder: fit.autoencoder!, rows: rows, seed: seeds[s], context: .serial)
            m.autoencoder = nil
            return m
          }
          if measured.isEmpty {
            var own = fit
            own.autoencoder = nil
            measured = [own]
          }
          results.store(t, .success(measured), progress: progress)
        } catch {
          results.store(t, .failure(error), progress: progress)
        }
      }
    }
    var spreads: [[EntropySpread]] = []
    for j in jobs.indices {
      var fits: [[EntropyFit]] = []  // [seed][measured set]
      for s in seeds.indices {
        switch results.value(j * seeds.count + s) {
        case .success(let measured): fits.append(measured)
        case .failure(let error): throw error
        }
      }
      spreads.append(fits[0].indices.map { i in EntropySpread(fits.map { $0[i] }) })
    }
    return spreads
  }
}

/// Results of concurrent fits, guarded by a lock.
private final class FitResults: @unchecked Sendable {
  private let lock = NSLock()
  private var next = 0
  private var done = 0
  private var values: [Result<[EntropyFit], AutoencoderError>?]

  init(count: Int) { values = Array(repeating: nil, count: count) }

  func claim() -> Int? {
    lock.withLock {
      guard next < values.count else { return nil }
      next += 1
      return next - 1
    }
  }

  func store(_ t: Int, _ value: Result<[EntropyFit], AutoencoderError>, progress: EntropyFitBatch.Progress) {
    lock.withLock {
      values[t] = value
      done += 1
      progress(done, values.count)
    }
  }

  func value(_ t: Int) -> Result<[EntropyFit], AutoencoderError> { lock.withLock { values[t]! } }
}
