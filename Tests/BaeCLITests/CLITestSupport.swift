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

/// Starts `bae` with `arguments`, polls `ready` every millisecond (up to ~10 s), and sends
/// SIGKILL as soon as it holds; then waits for the process.
///
/// - Returns: whether the process was killed (false when it finished first).
func runBaeKilled(_ arguments: [String], when ready: () -> Bool) throws -> Bool {
  let process = Process()
  process.executableURL = baeExecutable
  process.environment = baeEnvironment
  process.arguments = arguments
  process.standardOutput = FileHandle.nullDevice
  process.standardError = FileHandle.nullDevice
  try process.run()
  var killed = false
  for _ in 0..<10_000 where process.isRunning {
    if ready() {
      kill(process.processIdentifier, SIGKILL)
      killed = true
      break
    }
    usleep(1000)
  }
  process.waitUntilExit()
  return killed && process.terminationReason == .uncaughtSignal
}
