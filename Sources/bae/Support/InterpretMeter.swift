import Foundation
import Interpret

/// Progress of `bae interpret` on stderr, only when stderr is a terminal: records (texts read,
/// tokens encoded, tokens scored) and ComSem (features done, rate, time left, requests, cached
/// answers and tokens spent). Safe to call from any thread.
final class InterpretMeter: @unchecked Sendable {
  private let enabled = isatty(2) == 1
  private let lock = NSLock()
  private var lastPrint = Date.distantPast
  private var phaseStart = Date()
  private var phase = ""
  private var printed = false

  func update(_ p: RecordProgress) {
    switch p {
    case .reading(let done, let total): show("reading texts", done: done, total: total, unit: "texts")
    case .encoding(let done, let total): show("model and autoencoder", done: done, total: total, unit: "tokens")
    case .selecting(let done, let total): show("choosing top-k features", done: done, total: total, unit: "tokens")
    }
  }

  func update(_ p: ComSemProgress) {
    let extra =
      " · \(p.requests.formatted()) requests, \(p.cached.formatted()) cached, \(p.usage.totalTokens.formatted()) tokens"
    show("ComSem", done: p.done, total: p.total, unit: "features", extra: extra)
  }

  private func show(_ name: String, done: Int, total: Int, unit: String, extra: String = "") {
    guard enabled else { return }
    lock.withLock {
      if name != phase {
        if printed { FileHandle.standardError.write(Data("\n".utf8)) }
        phase = name
        phaseStart = Date()
      }
      guard Date().timeIntervalSince(lastPrint) >= 0.5 || done == total else { return }
      lastPrint = Date()
      printed = true
      let elapsed = max(Date().timeIntervalSince(phaseStart), 1e-9)
      let rate = Double(done) / elapsed
      let left = done == 0 ? "" : " · \(formatDuration(elapsed / Double(done) * Double(total - done))) left"
      let line =
        "\r\(name): \(done.formatted()) of \(total.formatted()) \(unit) · \(String(format: rate < 10 ? "%.2f" : "%.0f", rate)) \(unit)/s\(left)\(extra)   "
      FileHandle.standardError.write(Data(line.utf8))
    }
  }

  func finish() {
    lock.withLock {
      if printed { FileHandle.standardError.write(Data("\n".utf8)) }
      printed = false
      phase = ""
    }
  }
}
