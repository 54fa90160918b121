import Foundation
import JSONSupport

/// Everything that can go wrong while reading or writing a checkpoint or tensor file.
///
/// Each case names the file (and tensor or field where there is one) and its description
/// says what to do about it.
public enum CheckpointError: Error, CustomStringConvertible, Equatable {
  /// The file could not be opened or mapped.
  case unreadable(file: URL, reason: String)
  /// The file is shorter than its header says, or its header is cut off.
  case truncated(file: URL, detail: String)
  /// The header or metadata is not what the format requires.
  case malformedHeader(file: URL, detail: String)
  /// A tensor has an element type this reader cannot convert.
  case unsupportedDType(file: URL, tensor: String, dtype: String)
  /// A tensor the model needs is not in the checkpoint.
  case missingTensor(name: String, file: URL)
  /// The checkpoint holds tensors the model does not use.
  case unexpectedTensors(names: [String], file: URL)
  /// A tensor's shape differs from the one the configuration implies.
  case shapeMismatch(name: String, file: URL, expected: [Int], found: [Int])
  /// `config.json` (or GGUF metadata) is missing a field or has a value we cannot use.
  case invalidConfig(file: URL, field: String, detail: String)
  /// Nothing loadable was found at the given path.
  case notAModel(path: URL, detail: String)
  /// No model was named and the default model is not installed under any of these directories.
  case defaultModelMissing(searched: [URL])
  /// Writing a tensor file failed.
  case writeFailed(file: URL, reason: String)
  /// A Hub repository id (`org/name`) was named, but the Hugging Face cache does not hold it.
  case notInHubCache(repository: String, revision: String, cache: URL, offline: Bool)

  /// The error in words. Every part taken from a file or a path (names, details, paths) is cut
  /// and escaped (``UntrustedText``), so the message is one bounded line whatever the input.
  public var description: String {
    func path(_ url: URL) -> String { UntrustedText.describe(url.path, limit: 400) }
    func text(_ value: String) -> String { UntrustedText.describe(value) }
    func detail(_ value: String) -> String { UntrustedText.describe(value, limit: 800) }
    switch self {
    case .unreadable(let file, let reason):
      return "\(path(file)): cannot read file: \(detail(reason))"
    case .truncated(let file, let what):
      return "\(path(file)): file is truncated (\(detail(what))); download or copy it again"
    case .malformedHeader(let file, let what):
      return "\(path(file)): malformed header: \(detail(what))"
    case .unsupportedDType(let file, let tensor, let dtype):
      return
        "\(path(file)): tensor '\(text(tensor))' has unsupported dtype '\(text(dtype))'; convert the checkpoint to F32, F16 or BF16"
    case .missingTensor(let name, let file):
      return "\(path(file)): missing tensor '\(text(name))'; the checkpoint does not match its config.json"
    case .unexpectedTensors(let names, let file):
      let shown = names.prefix(5).map(text).joined(separator: ", ")
      let more = names.count > 5 ? " and \(names.count - 5) more" : ""
      return "\(path(file)): unexpected tensors \(shown)\(more); the checkpoint does not match its config.json"
    case .shapeMismatch(let name, let file, let expected, let found):
      return
        "\(path(file)): tensor '\(text(name))' has shape \(found), expected \(expected) from the config"
    case .invalidConfig(let file, let field, let what):
      return "\(path(file)): field '\(text(field))': \(detail(what))"
    case .notAModel(let url, let what):
      return "\(path(url)): not a model: \(detail(what))"
    case .defaultModelMissing(let searched):
      let places = searched.isEmpty ? "" : " (looked for \(searched.map(path).joined(separator: ", ")))"
      return
        "no model path given and the default model \(ModelLocation.defaultModelDirectoryName) is not installed\(places); run `make setup` (or `scripts/fetch_model.sh`), set $\(ModelLocation.environmentVariable), or name a model path"
    case .writeFailed(let file, let reason):
      return "\(path(file)): cannot write: \(detail(reason))"
    case .notInHubCache(let repository, let revision, let cache, let offline):
      let command =
        "bae download \(text(repository))" + (revision == HubCache.defaultRevision ? "" : " --revision \(text(revision))")
      let why = offline ? " (HF_HUB_OFFLINE is set, so the network is not used)" : ""
      return
        "\(text(repository)) (revision \(text(revision))) is neither a local path nor in the Hugging Face cache at \(path(cache))\(why); fetch it with `\(command)`"
    }
  }
}
