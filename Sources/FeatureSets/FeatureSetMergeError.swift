import Foundation

/// Why the parts of a sharded extraction cannot be merged into one set.
///
/// Messages name the part directory and what differs; they speak of options by name, not of
/// command-line flags.
public enum FeatureSetMergeError: Error, CustomStringConvertible, Equatable {
  /// What every part of one extraction must share.
  public enum Field: String, Sendable, CaseIterable {
    case model = "the model"
    case hooks = "the hooks"
    case extractionOptions = "the extraction options"
    case corpus = "the corpus (paths, files and reading options)"
    case blasKernels = "the OpenBLAS kernels (OPENBLAS_CORETYPE)"
    case assignment = "the rule assigning documents to parts"
    case partCount = "the number of parts"
  }

  /// The directory holds no `part-IIIII` directory.
  case noParts(directory: URL)
  /// The directory's own `manifest.json` describes an unsharded extraction, not a merged set.
  case notShardedSet(directory: URL)
  /// Parts that are absent (no directory, or no manifest yet) and reading incomplete sets was
  /// not allowed.
  case missingParts(directory: URL, missing: [Int], count: Int)
  /// A `part-IIIII` directory whose manifest does not describe part `IIIII` of this extraction.
  case foreignPart(part: URL, reason: String)
  /// A part recorded with other settings than the first part.
  case mismatch(part: URL, field: Field, expected: String, found: String)
  /// A part whose extraction has not finished, and reading incomplete sets was not allowed.
  case incompletePart(part: URL)
  /// One document has rows in two parts.
  case documentInTwoParts(document: Int64, first: URL, second: URL)
  /// The parts hold no row at all.
  case empty(directory: URL)
  /// A part cannot be read, or the merged manifest cannot be written.
  case featureSet(FeatureSetError)

  public var description: String {
    switch self {
    case .noParts(let directory):
      return
        "\(directory.path): no part-IIIII directory with a manifest.json to merge (run the extraction's parts first; a part writes its manifest with its first shard)"
    case .notShardedSet(let directory):
      return
        "\(directory.path) holds an unsharded feature set (its manifest.json is not a merged one); it has nothing to merge"
    case .missingParts(let directory, let missing, let count):
      let names = missing.prefix(8).map { FeatureManifest.Part.directoryName(index: $0) }.joined(separator: ", ")
      let more = missing.count > 8 ? " and \(missing.count - 8) more" : ""
      return
        "\(directory.path): \(missing.count) of \(count) parts missing (\(names)\(more)); run them, or allow an incomplete merge"
    case .foreignPart(let part, let reason):
      return "\(part.path): not a part of this extraction: \(reason)"
    case .mismatch(let part, let field, let expected, let found):
      return
        "\(part.path): \(field.rawValue) differ from the other parts' (\(found) instead of \(expected)); re-extract this part with the same settings"
    case .incompletePart(let part):
      return
        "\(part.path): the part is still running or was interrupted; resume it, or allow an incomplete merge (complete shards only)"
    case .documentInTwoParts(let document, let first, let second):
      return
        "document \(document) has rows in two parts, \(first.lastPathComponent) and \(second.lastPathComponent) (of \(first.deletingLastPathComponent().path)); the parts were not cut by one assignment"
    case .empty(let directory):
      return "\(directory.path): the parts hold no rows"
    case .featureSet(let error):
      return error.description
    }
  }
}
