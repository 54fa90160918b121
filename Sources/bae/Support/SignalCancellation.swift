import Dispatch
import Extraction
import Foundation
import RunControl

#if canImport(Glibc)
  import Glibc
#endif

/// Turns SIGINT and SIGTERM into a ``Cancellation`` the running library work checks between
/// batches, so the work can stop cleanly (no half-written file, a manifest to resume from).
///
/// The first signal asks to stop and says so on stderr; a second one quits at once with the
/// signal's status (bae's own temporary files left then are removed by the next run).
final class SignalCancellation {
  /// Set by the first SIGINT or SIGTERM.
  let cancellation = Cancellation()
  private var sources: [any DispatchSourceSignal] = []

  /// Starts listening; `what` names the work in the notice (`extraction`).
  init(stopping what: String) {
    for (number, reason) in [(SIGINT, Cancellation.Reason.interrupt), (SIGTERM, .terminate)] {
      // A dispatch source only sees a signal whose default action is disabled.
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
      source.setEventHandler { [cancellation] in
        if cancellation.isCancelled { _exit(128 + number) }
        cancellation.cancel(reason: reason)
        FileHandle.standardError.write(
          Data("\nstopping the \(what) after the current batch (signal again to quit at once)…\n".utf8))
      }
      source.resume()
      sources.append(source)
    }
  }

  /// Stops listening and restores the default actions.
  func stop() {
    for source in sources { source.cancel() }
    sources.removeAll()
    signal(SIGINT, SIG_DFL)
    signal(SIGTERM, SIG_DFL)
  }

  deinit { stop() }

  /// The conventional status of a process stopped by `reason`: 128 + the signal (130, 143).
  static func exitStatus(_ reason: Cancellation.Reason) -> Int32 { Int32(128 + reason.rawValue) }
}

/// The command line that started this process with `flag` added (if missing), quoted for a
/// POSIX shell: what to run to continue an interrupted job.
func commandLine(adding flag: String) -> String {
  var arguments = CommandLine.arguments
  arguments[0] = "bae"
  if !arguments.contains(flag) { arguments.append(flag) }
  return arguments.map { argument in
    argument.allSatisfy { $0.isLetter || $0.isNumber || "-_./:=,+@%".contains($0) } && !argument.isEmpty
      ? argument : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }.joined(separator: " ")
}
