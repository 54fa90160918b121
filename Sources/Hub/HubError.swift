import Foundation

/// Why a Hub listing or download failed. Messages never contain the token.
public enum HubError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The repository id is not `org/name`.
  case invalidRepository(String)
  /// The Hub refused: no token, or one without access (the Hub also says this for a private
  /// repository that may not exist).
  case unauthorized(repository: String, status: Int, hasToken: Bool)
  /// No such repository, revision or file.
  case notFound(repository: String, revision: String, path: String?)
  /// Another HTTP error, after any retries.
  case http(url: String, status: Int, message: String)
  /// The Hub could not be reached, after any retries.
  case transport(String)
  /// The listing was not what the Hub API returns.
  case malformedListing(url: String, reason: String)
  /// `--include` patterns matched no file of the repository.
  case nothingMatched(repository: String, patterns: [String])
  /// A downloaded file has another size or checksum than the Hub's metadata; it was deleted.
  case verificationFailed(path: String, expected: String, actual: String)
  /// `HF_HUB_OFFLINE` is set, so nothing may be fetched.
  case offline(repository: String)
  /// A file in the cache or the target directory could not be written.
  case file(path: String, reason: String)

  public var description: String {
    switch self {
    case .invalidRepository(let text):
      "'\(text)' is not a Hub repository id (expected org/name)"
    case .unauthorized(let repository, let status, let hasToken):
      hasToken
        ? "the Hub refused the token in HF_TOKEN for \(repository) (HTTP \(status)); check that it may read this repository"
        : "the Hub refused access to \(repository) (HTTP \(status)): it is private or gated, or does not exist; set HF_TOKEN to a token that may read it"
    case .notFound(let repository, let revision, let path):
      if let path {
        "\(repository) has no file \(path) at revision \(revision) (HTTP 404)"
      } else {
        "no repository \(repository) with revision \(revision) on the Hub (HTTP 404)"
      }
    case .http(let url, let status, let message):
      "\(url): HTTP \(status)\(message.isEmpty ? "" : ": \(message)")"
    case .transport(let reason):
      reason
    case .malformedListing(let url, let reason):
      "\(url): unexpected answer from the Hub API: \(reason)"
    case .nothingMatched(let repository, let patterns):
      "no file of \(repository) matches \(patterns.joined(separator: ", "))"
    case .verificationFailed(let path, let expected, let actual):
      "\(path): downloaded file does not match the Hub's metadata (expected \(expected), got \(actual)); it was deleted, run the download again"
    case .offline(let repository):
      "HF_HUB_OFFLINE is set: not downloading \(repository)"
    case .file(let path, let reason):
      "\(path): \(reason)"
    }
  }
}
