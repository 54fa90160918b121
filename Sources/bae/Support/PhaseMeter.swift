import Foundation

/// One progress line per phase on stderr (done of total, rate, time left), redrawn at most
/// twice a second and only when stderr is a terminal; a new phase starts a new line. The one
/// home of that logic for the study and interpretation meters. Safe to call from any thread.
final class PhaseMeter: @unchecked Sendable {
  private let enabled = isatty(2) == 1
  private let lock = NSLock()
  private var lastPrint = Date.distantPast
  private var phaseStart = Date()
  private var phase = ""
  private var printed = false

  /// Shows `done` of `total` `unit` in phase `name`, with `extra` appended to the line.
  func show(_ name: String, done: Int, total: Int, unit: String, extra: String = "") {
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

  /// Ends the current line.
  func finish() {
    lock.withLock {
      if printed { FileHandle.standardError.write(Data("\n".utf8)) }
      printed = false
      phase = ""
    }
  }
}
