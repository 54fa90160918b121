import ArgumentParser
import FeatureSets
import Foundation
import JSONSupport

extension FeaturesCommand {
  /// `bae features merge OUT`: one set from the parts of a sharded extraction.
  struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Merge the parts of a sharded extraction (OUT/part-IIIII/) into one feature set, without copying data.",
      discussion: """
        Checks that every part is present and complete, that the parts agree on the model, hooks,
        extraction options, corpus, OpenBLAS kernels and document assignment, and that no
        document has rows in two parts; then writes OUT/manifest.json listing every shard of
        every part by its path relative to OUT. bae train and every feature-set reader then read
        OUT as one set. Merging again (say, once more parts finish) rewrites the manifest.
        """)

    @Argument(help: ArgumentHelp("The extraction's output directory (holding part-00000/ …).", valueName: "dir"))
    var directory: String

    @Flag(name: .long, help: "Check the SHA-256 of every shard file too (reads every byte).")
    var verify = false

    @Flag(
      name: .long,
      help:
        "Merge the complete shards of parts still running (or not started) into a set marked incomplete; readers then need --allow-incomplete too."
    )
    var allowIncomplete = false

    @Flag(name: .long, help: "Print the result as one JSON object.")
    var json = false

    func run() throws {
      let url = URL(fileURLWithPath: directory)
      let merged = try reportingErrors {
        try FeatureSetMerge.merge(
          directory: url, options: .init(allowIncomplete: allowIncomplete, verifyChecksums: verify))
      }
      let parts = merged.parts ?? []
      let expected = parts.first?.count ?? 0
      if json {
        let object: JSONValue = [
          "directory": .string(url.path), "parts": .number(Double(parts.count)),
          "partCount": .number(Double(expected)), "complete": .bool(merged.complete),
          "tokens": .number(Double(merged.totalTokens)), "shards": .number(Double(merged.shards.count)),
          "documentsUsed": .number(Double(merged.counters.documentsUsed)), "verified": .bool(verify),
        ]
        print(String(decoding: object.serialized(), as: UTF8.self))
        return
      }
      let state =
        merged.complete
        ? "complete"
        : "incomplete: \(parts.filter(\.complete).count) of \(expected) parts finished"
      print(
        "merged \(parts.count) of \(expected) parts: \(merged.totalTokens.formatted()) tokens in \(merged.shards.count) shards, \(merged.counters.documentsUsed) documents (\(state)\(verify ? ", checksums verified" : "")) → \(FeatureManifest.url(in: url).path)"
      )
    }
  }

  /// `bae features compare A B`: whether two sets hold the same rows.
  struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check that two feature sets hold the same rows (per document, whatever the order of documents).",
      discussion: """
        Both sets must hold the same documents (doc_index), each with the same rows in the same
        order (position, token id), and matched rows the same values of every hook of the first
        set: a merged sharded extraction against a single-process one, say. Exits with status 1
        and names the first difference otherwise. Loads both sets: meant for checks on small sets.
        """)

    @Argument(help: ArgumentHelp("A feature-set directory.", valueName: "a"))
    var first: String

    @Argument(help: ArgumentHelp("The feature-set directory to compare it with.", valueName: "b"))
    var second: String

    @Option(
      name: .long,
      help: "Largest relative L2 difference of one row, ‖a − b‖ / ‖b‖, that counts as equal (default 0: equal values).")
    var tolerance: Float = 0

    @Flag(name: .long, help: "Read sets whose extraction is unfinished (their complete shards).")
    var allowIncomplete = false

    @Flag(name: .long, help: "Print the result as one JSON object (and still exit 1 when the sets differ).")
    var json = false

    func validate() throws {
      guard tolerance >= 0, tolerance.isFinite else { throw ValidationError("--tolerance must be a number ≥ 0") }
    }

    func run() throws {
      let options = FeatureSet.OpenOptions(allowIncomplete: allowIncomplete)
      let a = try reportingErrors { try FeatureSet(directory: URL(fileURLWithPath: first), options: options) }
      let b = try reportingErrors { try FeatureSet(directory: URL(fileURLWithPath: second), options: options) }
      let result = try reportingErrors { try a.compareRows(with: b, tolerance: tolerance) }
      if json {
        var object: JSONValue = [
          "same": .bool(result.same), "rows": .number(Double(result.rows)),
          "otherRows": .number(Double(result.otherRows)), "documents": .number(Double(result.documents)),
          "hooks": .array(result.hooks.map { .string($0) }),
          "maxAbsoluteDifference": JSONValue(result.maxAbsoluteDifference),
          "maxRelativeDifference": JSONValue(result.maxRelativeDifference),
        ]
        if case .object(var members) = object {
          members["difference"] = result.difference.map { .string($0) } ?? .null
          object = .object(members)
        }
        print(String(decoding: object.serialized(), as: UTF8.self))
        if !result.same { throw ExitCode(1) }
        return
      }
      if let difference = result.difference { throw CommandError("the sets differ: \(difference)") }
      print(
        "same rows: \(result.rows.formatted()) rows of \(result.documents) documents, \(result.hooks.count) hooks (largest difference \(result.maxAbsoluteDifference), relative \(result.maxRelativeDifference))"
      )
    }
  }
}
