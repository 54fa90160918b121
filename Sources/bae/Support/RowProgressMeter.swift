import Autoencoders
import Foundation

/// Progress of a pass over rows on stderr (done of total, rate, time left), only when stderr is
/// a terminal. The rate and the time left are those of the current pass.
struct RowProgressMeter {
  let enabled = isatty(2) == 1
  /// What is counted (`rows`, `batches`).
  var unit = "rows"
  var passStart = Date()
  var pass = 0
  var lastPrint = Date.distantPast

  mutating func update(_ p: CodeProgress) {
    if p.pass != pass {
      pass = p.pass
      passStart = Date()
    }
    guard enabled, Date().timeIntervalSince(lastPrint) >= 0.5 else { return }
    lastPrint = Date()
    let passLabel = p.passCount > 1 ? "pass \(p.pass)/\(p.passCount): " : ""
    let percent = p.totalRows == 0 ? 100 : 100 * Double(p.rows) / Double(p.totalRows)
    let rate = Double(p.rows) / max(Date().timeIntervalSince(passStart), 1e-9)
    let left = rate > 0 ? " · \(String(format: "%.0f", Double(p.totalRows - p.rows) / rate)) s left" : ""
    let line =
      "\r\(passLabel)\(p.rows.formatted()) of \(p.totalRows.formatted()) \(unit) (\(String(format: "%.1f", percent))%) · \(String(format: rate < 10 ? "%.2f" : "%.0f", rate)) \(unit)/s\(left)   "
    FileHandle.standardError.write(Data(line.utf8))
  }

  func finish() {
    if enabled && lastPrint != .distantPast { FileHandle.standardError.write(Data("\n".utf8)) }
  }
}
