import Foundation
import TensorCore
import TestSupport

#if canImport(Glibc)
  import Glibc
#endif

/// Output of one `bae` run.
struct CommandResult {
  var status: Int32
  var stdout: String
  var stderr: String
}

/// The `bae` executable built next to the test bundle.
let baeExecutable: URL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
  .deletingLastPathComponent().appendingPathComponent("bae")

/// The environment `bae` runs in under test: this process's, with the same OpenBLAS kernels as
/// this test process, so numbers from `bae` can be compared exactly with numbers computed here
/// and between runs (bae would otherwise restart itself with other kernels on CPUs Debian's
/// OpenBLAS does not know).
var baeEnvironment: [String: String] {
  var env = ProcessInfo.processInfo.environment
  env[BLASKernels.environmentVariable] = env[BLASKernels.environmentVariable] ?? BLASKernels.coreName
  return env
}

/// Runs `bae` with `arguments` and waits for it.
func runBae(_ arguments: [String], environment: [String: String] = [:], directory: URL? = nil) throws -> CommandResult {
  let process = Process()
  if let directory { process.currentDirectoryURL = directory }
  process.executableURL = baeExecutable
  process.arguments = arguments
  var env = baeEnvironment
  for (k, v) in environment { env[k] = v }
  process.environment = env
  let out = Pipe()
  let err = Pipe()
  process.standardOutput = out
  process.standardError = err
  try process.run()
  let outData = out.fileHandleForReading.readDataToEndOfFile()
  let errData = err.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return CommandResult(
    status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
    stderr: String(decoding: errData, as: UTF8.self))
}

/// Starts `bae`, polls `ready` every millisecond (up to ~20 s), sends `signal` once it holds,
/// and waits. Returns the result (stderr captured; the status is the exit status, or the signal
/// number when a signal ended the process), whether the signal was sent while bae ran, and
/// whether bae died of a signal rather than exiting by itself.
func runBaeSignalled(
  _ arguments: [String], signal: Int32, when ready: () -> Bool
) throws -> (result: CommandResult, sent: Bool, diedOfSignal: Bool) {
  let process = Process()
  process.executableURL = baeExecutable
  process.environment = baeEnvironment
  process.arguments = arguments
  let err = Pipe()
  process.standardOutput = FileHandle.nullDevice
  process.standardError = err
  try process.run()
  var sent = false
  for _ in 0..<20_000 where process.isRunning {
    if ready() {
      kill(process.processIdentifier, signal)
      sent = true
      break
    }
    usleep(1000)
  }
  let errData = err.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return (
    CommandResult(status: process.terminationStatus, stdout: "", stderr: String(decoding: errData, as: UTF8.self)),
    sent, process.terminationReason == .uncaughtSignal
  )
}

/// ``runBaeSignalled(_:signal:when:)`` with SIGKILL.
///
/// - Returns: whether the process was killed (false when it finished first).
func runBaeKilled(_ arguments: [String], when ready: () -> Bool) throws -> Bool {
  let run = try runBaeSignalled(arguments, signal: SIGKILL, when: ready)
  return run.sent && run.diedOfSignal
}
