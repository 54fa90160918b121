import Foundation
import Interpret

/// Progress of `bae interpret` on stderr, only when stderr is a terminal: records (texts read,
/// tokens encoded, tokens scored) and ComSem (features done, rate, time left, requests, cached
/// answers and tokens spent). Safe to call from any thread.
final class InterpretMeter: Sendable {
  private let meter = PhaseMeter()

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
    meter.show(name, done: done, total: total, unit: unit, extra: extra)
  }

  func finish() { meter.finish() }
}
