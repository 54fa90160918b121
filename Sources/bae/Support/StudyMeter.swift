import Foundation
import Studies

/// Progress of a study on stderr (phase, done of total, ETA), only when stderr is a terminal.
/// Safe to call from the worker threads of parallel fits.
final class StudyMeter: @unchecked Sendable {
  private let enabled = isatty(2) == 1
  private let lock = NSLock()
  private var lastPrint = Date.distantPast
  private var phaseStart = Date()
  private var phase = ""
  private var printed = false

  func update(_ p: ICLProgress) {
    switch p {
    case .forward(let done, let total): update(phase: "forward (prompts)", done: done, total: total)
    case .fitting(let done, let total): update(phase: "fitting BAEs", done: done, total: total)
    }
  }

  func update(phase name: String, done: Int, total: Int) {
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
      let elapsed = Date().timeIntervalSince(phaseStart)
      let eta = done == 0 ? "" : " · ETA \(formatDuration(elapsed / Double(done) * Double(total - done)))"
      FileHandle.standardError.write(Data("\r\(name): \(done) of \(total)\(eta)   ".utf8))
    }
  }

  func finish() {
    lock.withLock {
      if printed { FileHandle.standardError.write(Data("\n".utf8)) }
      printed = false
    }
  }
}
