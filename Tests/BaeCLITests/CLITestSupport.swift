import Foundation
import TestSupport

/// Output of one `bae` run.
struct CommandResult {
  var status: Int32
  var stdout: String
  var stderr: String
}

/// The `bae` executable built next to the test bundle.
let baeExecutable: URL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
  .deletingLastPathComponent().appendingPathComponent("bae")

/// Runs `bae` with `arguments` and waits for it.
func runBae(_ arguments: [String], environment: [String: String] = [:], directory: URL? = nil) throws -> CommandResult {
  let process = Process()
  if let directory { process.currentDirectoryURL = directory }
  process.executableURL = baeExecutable
  process.arguments = arguments
  var env = ProcessInfo.processInfo.environment
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
