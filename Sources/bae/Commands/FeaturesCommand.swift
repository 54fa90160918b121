import ArgumentParser
import FeatureSets
import Foundation

/// `bae features`: look at feature-set directories written by `bae extract`.
struct FeaturesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "features", abstract: "Inspect, verify, merge and compare feature sets written by bae extract.",
    subcommands: [Info.self, Verify.self, Merge.self, Compare.self])

  struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Summarise a feature set's manifest.")

    @Argument(help: "Feature-set directory.")
    var directory: String

    func run() throws {
      let url = URL(fileURLWithPath: directory)
      let m = try reportingErrors { try FeatureManifest.load(from: url) }
      // Existence and sizes only (one stat per file); `verify` hashes every byte.
      let damage = m.firstDamagedShard(in: url, checksums: false)
      let status =
        damage.map { "DAMAGED: \(m.shards[$0.index].name)" }
        ?? (m.complete ? "complete" : "incomplete: continue with bae extract … --resume")
      print("feature set:  \(url.path) (\(status))")
      print("model:        \(m.model.path) (\(m.model.layerCount) layers, d=\(m.model.hiddenSize))")
      print(
        "tokens:       \(m.totalTokens.formatted()) in \(m.shards.count) shards (\(m.options.fileFormat.rawValue), \(m.options.dtype.rawValue))"
      )
      print("hooks:        \(m.hooks.count): \(m.hooks.map(\.description).joined(separator: ", "))")
      print(
        "windows:      context \(m.options.context), bos \(m.options.bos.rawValue), skip first \(m.options.skipFirst)")
      print("compute:      \(m.compute)")
      print(
        "sources:      \(m.corpus.paths.joined(separator: ", ")) → \(m.corpus.files.count) files (\(m.corpus.options)); \(m.counters.documentsUsed) documents used of \(m.counters.documentsRead) read, \(m.counters.badInputSkipped) bad skipped"
      )
      if let last = m.lastSource { print("reached:      \(last)") }
      if let part = m.part { print("part:         \(part) of a sharded extraction (merge with bae features merge)") }
      if let parts = m.parts {
        let done = parts.filter(\.complete).count
        print("parts:        \(parts.count) of \(parts.first?.count ?? 0) merged, \(done) complete")
      }
      let bytes = m.shards.flatMap(\.files).map(\.bytes).reduce(0, +)
      print("size:         \(ByteCountFormatter.string(fromByteCount: Int64(bytes), countStyle: .binary))")
      if let damage {
        throw CommandError(damagedShardMessage(damage.problem))
      }
      print("checked:      every shard file present with its recorded size (bae features verify checks SHA-256)")
    }
  }

  struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check every shard file of a feature set against the sizes and SHA-256 sums in its manifest.")

    @Argument(help: "Feature-set directory.")
    var directory: String

    func run() throws {
      let url = URL(fileURLWithPath: directory)
      // An unfinished set's recorded shards are complete files, so they can be verified too.
      // Opening checks the sizes; `verify()` then hashes every file once (opening with
      // `verifyChecksums` would do the same but discard the summary printed here).
      let set = try reportingDamage { try FeatureSet(directory: url, options: .init(allowIncomplete: true)) }
      let summary = try reportingDamage { try set.verify() }
      let note = set.manifests[0].complete ? "" : " (the set is incomplete: continue with bae extract … --resume)"
      print("ok: \(summary.shardCount) shards, \(summary.rowCount) rows verified\(note)")
    }
  }
}

/// The one-line message for a damaged shard, with the repair command.
func damagedShardMessage(_ problem: FeatureSetError) -> String {
  guard case .damagedShard(let file, let reason) = problem else { return problem.description }
  return
    "\(file.path): damaged shard: \(reason); repair it by running the same bae extract command with --resume --repair (the shard and those after it are extracted again)"
}

/// Runs `body`, reporting a damaged shard with its repair command and other errors as they are.
func reportingDamage<T>(_ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch let error as FeatureSetError {
    throw CommandError(damagedShardMessage(error))
  } catch {
    return try reportingErrors { throw error }
  }
}
