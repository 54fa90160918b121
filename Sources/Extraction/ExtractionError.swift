import FeatureSets
import Foundation
import RunControl
import TensorCore

/// Why an extraction cannot start or continue.
///
/// Messages speak of options by name, not of command-line flags: a front end maps them.
public enum ExtractionError: Error, CustomStringConvertible, Equatable {

  /// What a resumed run must keep unchanged.
  public enum RunField: String, Sendable, CaseIterable {
    case model = "the model"
    case hooks = "the hooks"
    case corpusPaths = "the corpus paths"
    case corpusFiles = "the corpus files"
    case corpusOptions = "the corpus options"
    case extractionOptions = "the extraction options"
    case compute = "the compute context (threads, precision, bf16 kernel)"
    case blasKernels = "the OpenBLAS kernels (OPENBLAS_CORETYPE)"
    case part = "the part of a sharded extraction"
  }

  /// An option value that makes no sense.
  case invalidOption(ExtractionOptionError)
  /// An unusable thread count.
  case invalidContext(ComputeContextError)
  /// The output directory already holds a feature set and resuming was not asked for.
  case outputExists(directory: URL)
  /// Resuming a directory with no manifest.
  case nothingToResume(directory: URL)
  /// Resuming with options or inputs that differ from the manifest's.
  case resumeMismatch(directory: URL, field: RunField, recorded: String, requested: String)
  /// The corpus gave no tokens at all.
  case emptyCorpus(paths: [String])
  /// A batch (with the shard buffer) would need more memory than the machine has.
  case batchTooLarge(estimatedBytes: Int, availableBytes: Int, bytesPerToken: Int, option: ExtractionOptionError.Option)
  /// A recorded shard is missing or differs from its manifest record; `repairable` when the
  /// manifest records where it starts, so it and the shards after it can be extracted again.
  case damagedShard(directory: URL, shard: String, problem: FeatureSetError, repairable: Bool)
  /// The run was asked to stop (``Cancellation``); the shard in progress was discarded and the
  /// manifest describes the complete shards written before it.
  case cancelled(directory: URL, reason: Cancellation.Reason, shards: Int, tokens: Int)
  /// A part index outside `0..<count`, or a count below 1.
  case invalidPart(index: Int, count: Int)
  /// Resuming a directory that holds a merged set (its manifest lists the shards of parts).
  case resumeMergedSet(directory: URL)

  public var description: String {
    switch self {
    case .invalidOption(let error):
      return error.description
    case .invalidContext(let error):
      return error.description
    case .outputExists(let directory):
      return "\(directory.path) already holds a feature set (manifest.json); resume it, or write to another directory"
    case .nothingToResume(let directory):
      return "\(directory.path): nothing to resume (no manifest.json); start a new extraction instead"
    case .resumeMismatch(let directory, let field, let recorded, let requested):
      return
        "\(directory.path): cannot resume: \(field.rawValue) was \(recorded) but is now \(requested); use the same settings or another output directory"
    case .emptyCorpus(let paths):
      return "the corpus \(paths.joined(separator: ", ")) gave no tokens"
    case .batchTooLarge(let estimated, let available, let perToken, let option):
      return
        "\(option.rawValue): a batch would need about \(formatBytes(estimated)) of memory (\(formatBytes(perToken)) per token of the batch and shard buffer), more than this machine's \(formatBytes(available)); use a smaller value"
    case .damagedShard(let directory, let shard, let problem, let repairable):
      let repair =
        repairable
        ? "resume with repair to remove \(shard) and the shards after it and extract them again from where \(shard) starts (the same rows)"
        : "this manifest does not record where \(shard) starts, so extract the set again into a new directory"
      return "\(directory.path): cannot resume: shard \(shard) is damaged (\(problem)); \(repair)"
    case .cancelled(let directory, _, let shards, let tokens):
      return
        "interrupted: \(directory.path) holds \(shards) complete shard\(shards == 1 ? "" : "s") (\(tokens) tokens); the shard in progress was discarded; resume to continue"
    case .invalidPart(let index, let count):
      return "part \(index) of \(count) does not exist: parts are numbered 0 to count − 1, and count is at least 1"
    case .resumeMergedSet(let directory):
      return
        "\(directory.path) holds a merged set of parts; resume its parts (each in its part-IIIII directory), not the merged set"
    }
  }
}

/// `1.5 GiB`, `320 MiB`.
func formatBytes(_ bytes: Int) -> String {
  let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
  var value = Double(bytes)
  var unit = 0
  while value >= 1024, unit < units.count - 1 {
    value /= 1024
    unit += 1
  }
  return unit == 0 ? "\(bytes) bytes" : "\(String(format: "%.1f", value)) \(units[unit])"
}
