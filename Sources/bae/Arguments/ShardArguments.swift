import ArgumentParser
import Extraction

/// `--shard I/N` and `--shard-count N`: which part of a sharded extraction `bae extract` runs,
/// from the flags or from the job-array environment of Slurm or Kubernetes.
struct ShardArguments: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "Extract part I of N (0-based) into OUT/part-IIIII/; 'off' ignores the job-array environment (default: from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX when set).",
      valueName: "I/N"))
  var shard: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Number of parts when the part index comes from JOB_COMPLETION_INDEX (default: $BAE_SHARD_COUNT).",
      valueName: "N"))
  var shardCount: Int?

  /// Where the part came from, for the progress line.
  enum Source: Equatable {
    case flag
    case slurm
    case kubernetes
  }

  func validate() throws {
    if let shardCount, shardCount < 1 { throw ValidationError("--shard-count must be at least 1") }
    if let shard, shard != "off", Self.parse(shard) == nil {
      throw ValidationError("--shard '\(shard)' must look like I/N (e.g. 2/7, parts numbered from 0) or be 'off'")
    }
    if shard != nil && shardCount != nil {
      throw ValidationError("give --shard I/N or --shard-count N, not both")
    }
  }

  /// The part to run, or `nil` for an unsharded extraction.
  ///
  /// In order: `--shard off` → none; `--shard I/N`; Slurm's `SLURM_ARRAY_TASK_ID` −
  /// `SLURM_ARRAY_TASK_MIN` of `SLURM_ARRAY_TASK_COUNT` (a contiguous array such as
  /// `--array=0-6`); Kubernetes' `JOB_COMPLETION_INDEX` of `--shard-count`, else
  /// `$BAE_SHARD_COUNT`; otherwise none.
  func resolve(environment: [String: String]) throws -> (part: ExtractionPart, source: Source)? {
    func part(_ index: Int, _ count: Int) throws -> ExtractionPart {
      do {
        return try ExtractionPart(index: index, count: count)
      } catch {
        throw CommandError(error.description)
      }
    }
    if shard == "off" { return nil }
    if let shard {
      let (index, count) = Self.parse(shard)!
      return (try part(index, count), .flag)
    }
    if let id = environment["SLURM_ARRAY_TASK_ID"] {
      guard let task = Int(id), let count = environment["SLURM_ARRAY_TASK_COUNT"].flatMap(Int.init) else {
        throw CommandError(
          "SLURM_ARRAY_TASK_ID=\(id) but no usable SLURM_ARRAY_TASK_COUNT; give --shard I/N (or --shard off)")
      }
      let first = environment["SLURM_ARRAY_TASK_MIN"].flatMap(Int.init) ?? 0
      if let shardCount, shardCount != count {
        throw CommandError("--shard-count \(shardCount) differs from SLURM_ARRAY_TASK_COUNT=\(count)")
      }
      guard task - first >= 0, task - first < count else {
        throw CommandError(
          "SLURM_ARRAY_TASK_ID=\(task) is not in a contiguous array of \(count) tasks from \(first); submit with --array=0-\(count - 1) (or give --shard I/N)"
        )
      }
      return (try part(task - first, count), .slurm)
    }
    if let id = environment["JOB_COMPLETION_INDEX"] {
      guard let index = Int(id) else { throw CommandError("JOB_COMPLETION_INDEX=\(id) is not a number") }
      guard let count = shardCount ?? environment["BAE_SHARD_COUNT"].flatMap(Int.init) else {
        throw CommandError(
          "JOB_COMPLETION_INDEX=\(index) is set but the number of parts is not: give --shard-count N (the Job's completions) or set BAE_SHARD_COUNT"
        )
      }
      return (try part(index, count), .kubernetes)
    }
    if shardCount != nil {
      throw CommandError("--shard-count needs JOB_COMPLETION_INDEX (a Kubernetes indexed Job); use --shard I/N")
    }
    return nil
  }

  /// `I/N` → `(I, N)`.
  static func parse(_ text: String) -> (Int, Int)? {
    let fields = text.split(separator: "/", omittingEmptySubsequences: false)
    guard fields.count == 2, let index = Int(fields[0]), let count = Int(fields[1]) else { return nil }
    return (index, count)
  }
}
