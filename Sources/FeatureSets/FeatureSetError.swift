import Foundation
import JSONSupport

/// Why a feature set cannot be read or written.
public enum FeatureSetError: Error, CustomStringConvertible, Equatable {
  /// `manifest.json` is missing.
  case missingManifest(directory: URL)
  /// `manifest.json` cannot be parsed, or is of a format or version this build does not read.
  case badManifest(file: URL, reason: String)
  /// A file could not be written.
  case writeFailed(file: URL, reason: String)
  /// A hook asked for is not in the set.
  case missingHook(name: String, directory: URL, available: [String])
  /// Two sets (or a set and a request) disagree on a hook's width.
  case widthMismatch(hook: String, expected: Int, found: Int, directory: URL)
  /// The set is still being written (or was interrupted) and reading incomplete sets was not allowed.
  case incomplete(directory: URL)
  /// A shard file's size or checksum differs from the manifest's record.
  case damagedShard(file: URL, reason: String)
  /// A shard file cannot be opened or parsed.
  case unreadableShard(file: URL, reason: String)
  /// Options that make no sense (a batch size of 0, …).
  case invalidRequest(String)

  /// The message, one bounded line: paths, member names and reasons come from files, so the
  /// whole text is cut and escaped (``UntrustedText``).
  public var description: String { UntrustedText.describe(unescapedDescription, limit: 2000) }

  /// The message before escaping.
  private var unescapedDescription: String {
    switch self {
    case .missingManifest(let directory):
      return "\(directory.path): not a feature set (no manifest.json)"
    case .badManifest(let file, let reason):
      return "\(file.path): unreadable manifest: \(reason)"
    case .writeFailed(let file, let reason):
      return "\(file.path): cannot write: \(reason); check the directory exists and is writable"
    case .missingHook(let name, let directory, let available):
      return "\(directory.path): no hook '\(name)' in this feature set; it holds \(available.joined(separator: ", "))"
    case .widthMismatch(let hook, let expected, let found, let directory):
      return "\(directory.path): hook '\(hook)' has width \(found), expected \(expected)"
    case .incomplete(let directory):
      return
        "\(directory.path): the feature set is incomplete (extraction still running or interrupted); resume the extraction, or allow reading the complete shards only"
    case .damagedShard(let file, let reason):
      return
        "\(file.path): damaged shard: \(reason); extract it again (resume the extraction with repair: the shard and those after it are written again)"
    case .unreadableShard(let file, let reason):
      return "\(file.path): unreadable shard: \(reason)"
    case .invalidRequest(let message):
      return message
    }
  }
}
