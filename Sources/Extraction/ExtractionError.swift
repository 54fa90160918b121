import Foundation

/// Why an extraction cannot start or continue.
public enum ExtractionError: Error, CustomStringConvertible, Equatable {
  case invalidOption(String)
  /// The output directory already holds a run and `--resume` was not given.
  case outputExists(directory: URL)
  /// `--resume` on a directory with no manifest.
  case nothingToResume(directory: URL)
  /// `--resume` with options or inputs that differ from the manifest's.
  case resumeMismatch(directory: URL, field: String, recorded: String, requested: String)
  /// The manifest cannot be read.
  case badManifest(file: URL, reason: String)
  /// A file could not be written.
  case writeFailed(file: URL, reason: String)
  /// The corpus gave no tokens at all.
  case emptyCorpus(paths: [String])

  public var description: String {
    switch self {
    case .invalidOption(let message):
      return message
    case .outputExists(let directory):
      return "\(directory.path) already holds an extraction (manifest.json); add --resume to continue it, or choose another --out"
    case .nothingToResume(let directory):
      return "\(directory.path): nothing to resume (no manifest.json); run without --resume"
    case .resumeMismatch(let directory, let field, let recorded, let requested):
      return "\(directory.path): cannot resume: \(field) was \(recorded) but is now \(requested); use the same options or another --out"
    case .badManifest(let file, let reason):
      return "\(file.path): unreadable manifest: \(reason)"
    case .writeFailed(let file, let reason):
      return "\(file.path): cannot write: \(reason); check the directory exists and is writable"
    case .emptyCorpus(let paths):
      return "the corpus \(paths.joined(separator: ", ")) gave no tokens"
    }
  }
}
