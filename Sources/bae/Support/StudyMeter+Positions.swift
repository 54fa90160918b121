import Studies

extension StudyMeter {
  /// Shows a position study's progress.
  func update(_ p: PositionProgress) {
    switch p {
    case .reading(let done, let total): update(phase: "reading (documents)", done: done, total: total)
    case .forward(let done, let total): update(phase: "forward (documents)", done: done, total: total)
    case .fitting(let done, let total): update(phase: "fitting BAEs", done: done, total: total)
    }
  }
}
