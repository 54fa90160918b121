import Foundation
import Hub

/// Download progress on stderr (bytes of total, rate, time left, current file), only when
/// stderr is a terminal.
struct DownloadMeter {
  let enabled = isatty(2) == 1
  let start = Date()
  /// Bytes already on disk when the meter started (reused or resumed), left out of the rate.
  var baseline: Int64?
  var lastPrint = Date.distantPast

  mutating func update(_ p: HubProgress) {
    if baseline == nil { baseline = p.completedBytes }
    guard enabled, Date().timeIntervalSince(lastPrint) >= 0.25 || p.completedBytes == p.totalBytes else { return }
    lastPrint = Date()
    let elapsed = max(Date().timeIntervalSince(start), 1e-3)
    let rate = Double(p.completedBytes - (baseline ?? 0)) / elapsed
    let percent = p.totalBytes == 0 ? 100 : 100 * Double(p.completedBytes) / Double(p.totalBytes)
    let left = rate > 0 ? " · \(Self.duration(Double(p.totalBytes - p.completedBytes) / rate)) left" : ""
    let width = 24
    let filled = Int(Double(width) * percent / 100)
    let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
    let line =
      "\r\(bar) \(Self.bytes(p.completedBytes)) of \(Self.bytes(p.totalBytes)) (\(String(format: "%.0f", percent))%) · \(Self.bytes(Int64(rate)))/s\(left) · \(p.path)\u{1B}[K"
    FileHandle.standardError.write(Data(line.utf8))
  }

  func finish() {
    if enabled && lastPrint != .distantPast { FileHandle.standardError.write(Data("\n".utf8)) }
  }

  static func bytes(_ count: Int64) -> String {
    let units = ["B", "KB", "MB", "GB", "TB"]
    var value = Double(count)
    var unit = 0
    while value >= 1000 && unit < units.count - 1 {
      value /= 1000
      unit += 1
    }
    return unit == 0 ? "\(count) B" : String(format: "%.1f %@", value, units[unit])
  }

  static func duration(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "?" }
    let s = Int(seconds.rounded())
    return s >= 3600 ? "\(s / 3600) h \(s % 3600 / 60) min" : s >= 60 ? "\(s / 60) min \(s % 60) s" : "\(s) s"
  }
}
