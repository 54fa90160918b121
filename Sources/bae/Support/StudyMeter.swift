import Foundation
import Studies

/// Progress of a study on stderr (phase, done of total, rate, time left), only when stderr is a terminal.
/// Safe to call from the worker threads of parallel fits.
final class StudyMeter: Sendable {
  private let meter = PhaseMeter()

  func update(_ p: ICLProgress) {
    switch p {
    case .forward(let done, let total): update(phase: "forward", done: done, total: total, unit: "prompts")
    case .fitting(let done, let total): update(phase: "fitting BAEs", done: done, total: total, unit: "fits")
    }
  }

  func update(phase name: String, done: Int, total: Int, unit: String) {
    meter.show(name, done: done, total: total, unit: unit)
  }

  func finish() { meter.finish() }
}
