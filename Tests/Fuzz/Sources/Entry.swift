import Foundation

#if BAE_FUZZING
  import CLibFuzzer

  /// Runs the harness named by `$BAE_FUZZ_HARNESS` on one input (libFuzzer's callback; also
  /// exported under libFuzzer's conventional name, which its runtime refers to).
  @_cdecl("LLVMFuzzerTestOneInput")
  public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = data.map { Data(bytes: $0, count: size) } ?? Data()
    Harness.selected.run(input)
    return 0
  }

  /// The process entry point: SwiftPM links `main` to this module's entry symbol, so libFuzzer's
  /// own `main` is not used and its driver is started here with the command line.
  @_cdecl("bae_fuzz_main")
  func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzzTestOneInput(data, size) }
  }
#else
  /// Without the fuzz flags, `bae-fuzz HARNESS FILE...` replays saved inputs through a harness
  /// (how a crash found by `scripts/fuzz.sh` is reproduced under a debugger).
  @main
  struct Replay {
    static func main() {
      let arguments = CommandLine.arguments.dropFirst()
      guard let name = arguments.first, let harness = Harness(rawValue: name) else {
        let names = Harness.allCases.map(\.rawValue).joined(separator: ", ")
        FileHandle.standardError.write(Data("usage: bae-fuzz HARNESS FILE...; harnesses: \(names)\n".utf8))
        exit(64)
      }
      for path in arguments.dropFirst() {
        guard let input = FileManager.default.contents(atPath: path) else {
          FileHandle.standardError.write(Data("bae-fuzz: cannot read \(path)\n".utf8))
          exit(66)
        }
        harness.run(input)
        print("\(path): ok")
      }
    }
  }
#endif
