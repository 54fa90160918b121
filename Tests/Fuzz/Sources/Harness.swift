import Foundation

/// The parsers `scripts/fuzz.sh` fuzzes, one per file format bae reads from untrusted files.
///
/// Each harness feeds one input to the public API the way `bae` does, and checks that any error
/// it throws reads as a safe one-line message (``MessageCheck``). A crash, a trap, a sanitizer
/// report or a failed check is a finding.
enum Harness: String, CaseIterable {
  case safetensors
  case gguf
  case tokenizerJSON = "tokenizer-json"
  case configJSON = "config-json"
  case jsonl
  case csv
  case manifest
  case shard

  /// The harness named by `$BAE_FUZZ_HARNESS` (the fuzz build runs one harness per process).
  static let selected: Harness = {
    let name = ProcessInfo.processInfo.environment["BAE_FUZZ_HARNESS"] ?? ""
    guard let harness = Harness(rawValue: name) else {
      let names = allCases.map(\.rawValue).joined(separator: ", ")
      FileHandle.standardError.write(Data("set BAE_FUZZ_HARNESS to one of: \(names)\n".utf8))
      exit(64)
    }
    return harness
  }()

  /// Runs the harness on one input.
  func run(_ input: Data) {
    switch self {
    case .safetensors: fuzzSafetensors(input)
    case .gguf: fuzzGGUF(input)
    case .tokenizerJSON: fuzzTokenizerJSON(input)
    case .configJSON: fuzzConfigJSON(input)
    case .jsonl: fuzzCorpus(input, fileName: "corpus.jsonl")
    case .csv: fuzzCorpus(input, fileName: "corpus.csv")
    case .manifest: fuzzManifest(input)
    case .shard: fuzzShard(input)
    }
  }
}

/// A private scratch directory for inputs the APIs read from files: in memory (`/dev/shm`) where
/// there is one, since a write and read on a disk-backed `/tmp` can cost a millisecond per input.
let scratchDirectory: URL = {
  var isDirectory: ObjCBool = false
  let memory = FileManager.default.fileExists(atPath: "/dev/shm", isDirectory: &isDirectory) && isDirectory.boolValue
  let base = memory ? URL(fileURLWithPath: "/dev/shm") : FileManager.default.temporaryDirectory
  let url = base.appendingPathComponent("bae-fuzz-\(ProcessInfo.processInfo.processIdentifier)")
  try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  atexit { try? FileManager.default.removeItem(at: scratchDirectory) }
  return url
}()

/// Writes `input` to `name` in the scratch directory.
func scratchFile(_ name: String, _ input: Data) -> URL {
  let url = scratchDirectory.appendingPathComponent(name)
  do { try input.write(to: url) } catch { fatalError("bae-fuzz: cannot write \(url.path): \(error)") }
  return url
}
