import Foundation
import TensorCore

#if canImport(Glibc)
  import Glibc
#endif

/// Restarts `bae` once with `OPENBLAS_CORETYPE` set when OpenBLAS fell back to pre-AVX kernels
/// on a CPU it does not know (see ``BLASKernels``): the kernel choice is made when the library
/// loads, before any of our code runs, so the only way to change it is a fresh process.
///
/// Nothing happens when the user set `OPENBLAS_CORETYPE` (their choice wins) or when OpenBLAS
/// chose well. `bae bench` and `bae inspect` report the kernels in use.
enum BLASRestart {
  static let guardVariable = "BAE_BLAS_RESTARTED"

  static func restartIfKernelsAreTooOld() {
    let environment = ProcessInfo.processInfo.environment
    guard environment[BLASKernels.environmentVariable] == nil, environment[guardVariable] == nil,
      let core = BLASKernels.recommendedCoreType
    else { return }
    setenv(BLASKernels.environmentVariable, core, 1)
    setenv(guardVariable, "1", 1)
    let arguments = CommandLine.arguments
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
    argv.append(nil)
    execv("/proc/self/exe", &argv)
    // execv returns only on failure: carry on with the slow kernels rather than fail.
  }
}
