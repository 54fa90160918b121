import Autoencoders
import Foundation

/// Progress of a pass over rows on stderr (done of total, rows/s), only when stderr is a terminal.
struct RowProgressMeter {
  let enabled = isatty(2) == 1
  let start = Date()
  var lastPrint = Date.distantPast

  mutating func update(_ p: CodeProgress) {
    guard enabled, Date().timeIntervalSince(lastPrint) >= 0.5 else { return }
    lastPrint = Date()
    let pass = p.passCount > 1 ? "pass \(p.pass)/\(p.passCount): " : ""
    let percent = p.totalRows == 0 ? 100 : 100 * Double(p.rows) / Double(p.totalRows)
    let rate = Double(p.rows) / max(Date().timeIntervalSince(start), 1e-9)
    let line =
      "\r\(pass)\(p.rows.formatted()) of \(p.totalRows.formatted()) rows (\(String(format: "%.1f", percent))%) · \(String(format: "%.0f", rate)) rows/s   "
    FileHandle.standardError.write(Data(line.utf8))
  }

  func finish() {
    if enabled && lastPrint != .distantPast { FileHandle.standardError.write(Data("\n".utf8)) }
  }
}
