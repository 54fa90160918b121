import Studies

extension StudyMeter {
  /// Shows a position study's progress.
  func update(_ p: PositionProgress) {
    switch p {
    case .reading(let done, let total): update(phase: "reading", done: done, total: total, unit: "documents")
    case .forward(let done, let total): update(phase: "forward", done: done, total: total, unit: "documents")
    case .fitting(let done, let total): update(phase: "fitting BAEs", done: done, total: total, unit: "fits")
    }
  }
}
