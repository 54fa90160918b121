import Autoencoders
import Foundation

/// Progress of reading and training on stderr (rate and ETA), only when stderr is a terminal.
struct TrainMeter {
  let enabled = isatty(2) == 1
  var lastPrint = Date.distantPast
  var printed = false

  mutating func reading(rows: Int, of total: Int) {
    guard enabled, Date().timeIntervalSince(lastPrint) >= 0.5 else { return }
    lastPrint = Date()
    printed = true
    FileHandle.standardError.write(Data("\rreading rows: \(rows.formatted()) of \(total.formatted())   ".utf8))
  }

  mutating func training(_ p: TrainingProgress, label: String) {
    guard enabled, Date().timeIntervalSince(lastPrint) >= 0.5 else { return }
    lastPrint = Date()
    printed = true
    let done = Double(p.epoch * p.stepsPerEpoch + p.stepInEpoch)
    let total = Double(p.epochs * p.stepsPerEpoch)
    let remaining = p.seconds / max(done, 1) * (total - done)
    var line = "\r\(label)epoch \(p.epoch + 1)/\(p.epochs) · loss \(String(format: "%.4g", p.loss.total))"
    if let h = p.loss.entropy { line += " · H \(String(format: "%.1f", h)) bits" }
    line += " · \(String(format: "%.0f", p.rowsPerSecond)) rows/s · ETA \(formatDuration(remaining))   "
    FileHandle.standardError.write(Data(line.utf8))
  }

  mutating func finishLine() {
    if printed { FileHandle.standardError.write(Data("\n".utf8)) }
    printed = false
  }
}
