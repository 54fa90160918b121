import ChatAPI
import Checkpoints
import Digests
import Foundation

/// The judge client's on-disk answers: one JSON file per request, so an interrupted run resumes
/// without paying for answers it already has.
///
/// An entry's key is the SHA-256 of the base URL, a newline, and the request's canonical JSON
/// bytes (``ChatWire``: sorted keys, with the configured model filled in); the API key is never
/// part of it. Entries live at `DIR/<first 2 hex digits>/<64 hex digits>.json` and hold
/// `{"version", "base_url", "request", "response"}`; each is written atomically
/// (``AtomicFile``). An entry that cannot be read, or whose request differs, is ignored and
/// replaced by the next answer.
public struct JudgeResponseCache: Sendable {
  /// The cache's directory.
  public let directory: URL

  /// The layout's version, stored in each entry.
  public static let version = 1

  public init(directory: URL) { self.directory = directory }

  struct Entry: Codable {
    var version: Int
    var baseURL: String
    var request: ChatCompletionRequest
    var response: ChatCompletionResponse

    enum CodingKeys: String, CodingKey {
      case version, request, response
      case baseURL = "base_url"
    }
  }

  /// The hex SHA-256 key of `requestBytes` sent to `baseURL`.
  public static func key(baseURL: URL, requestBytes: Data) -> String {
    var hasher = SHA256()
    hasher.update(data: Data(baseURL.absoluteString.utf8))
    hasher.update(data: Data([0x0A]))
    hasher.update(data: requestBytes)
    return hasher.finalize().hex
  }

  /// Where the entry of `key` lives.
  public func entryURL(key: String) -> URL {
    directory.appendingPathComponent(String(key.prefix(2))).appendingPathComponent("\(key).json")
  }

  /// The cached answer to `request` at `baseURL`, or `nil` when there is none or it is unreadable.
  public func answer(key: String, baseURL: URL, request: ChatCompletionRequest) -> ChatCompletionResponse? {
    guard let data = try? Data(contentsOf: entryURL(key: key)),
      let entry = try? ChatWire.decode(Entry.self, from: data),
      entry.version == Self.version, entry.baseURL == baseURL.absoluteString, entry.request == request
    else { return nil }
    return entry.response
  }

  /// Stores `response` as the answer to `request` at `baseURL`.
  ///
  /// - Throws: ``JudgeError/cache(path:reason:)`` when the directory or file cannot be written.
  public func store(
    _ response: ChatCompletionResponse, key: String, baseURL: URL, request: ChatCompletionRequest
  ) throws(JudgeError) {
    let file = entryURL(key: key)
    do {
      try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
      let entry = Entry(version: Self.version, baseURL: baseURL.absoluteString, request: request, response: response)
      try AtomicFile.write(try ChatWire.encode(entry), to: file)
    } catch {
      throw .cache(path: file.path, reason: String(describing: error))
    }
  }
}
