import ArgumentParser
import Checkpoints
import Foundation
import Hub
import JSONSupport

/// `bae download REPO [--revision R] [--include GLOB ...] [--to DIR]`: fetch a Hub repository
/// into the shared Hugging Face cache.
struct DownloadCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "download",
    abstract: "Download a model from the Hugging Face Hub into the shared Hugging Face cache.",
    discussion: """
      Files land in the Hub cache ($HF_HOME/hub, default ~/.cache/huggingface/hub) in the layout Python tools use, \
      so `--model org/name` then works in every bae command, offline too (HF_HUB_OFFLINE=1). Downloads resume \
      where they stopped and are checked against the Hub's size and sha256. A private or gated repository needs \
      a token in $HF_TOKEN (never a flag); $HF_ENDPOINT selects another Hub.
      """)

  @Argument(help: ArgumentHelp("Hub repository id.", valueName: "org/name"))
  var repository: String

  @Option(name: .long, help: "Branch, tag or commit to download.")
  var revision = HubCache.defaultRevision

  @Option(
    name: .long,
    help: ArgumentHelp("Download only files matching this glob (repeatable; e.g. '*.json').", valueName: "glob"))
  var include: [String] = []

  @Option(name: .long, help: ArgumentHelp("Also place the files in this directory.", valueName: "dir"))
  var to: String?

  @Flag(name: .long, help: "Print the result as one JSON object.")
  var json = false

  func validate() throws {
    guard HubCache.isRepositoryID(repository) else {
      throw ValidationError("'\(repository)' is not a Hub repository id (expected org/name)")
    }
    guard !revision.isEmpty else { throw ValidationError("--revision must not be empty") }
  }

  func run() throws {
    let downloader = HubDownloader()
    var meter = DownloadMeter()
    let snapshot = try reportingErrors {
      defer { meter.finish() }
      return try downloader.download(
        repository: repository, revision: revision, include: include, to: to.map { URL(fileURLWithPath: $0) },
        progress: { meter.update($0) })
    }
    let total = snapshot.files.reduce(Int64(0)) { $0 + $1.size }
    if json {
      let object: JSONValue = .object([
        "repository": .string(snapshot.repository), "revision": .string(snapshot.revision),
        "commit": .string(snapshot.commit), "snapshot": .string(snapshot.directory.path),
        "files": .array(snapshot.files.map { .string($0.path) }), "bytes": .number(Double(total)),
        "downloaded_bytes": .number(Double(snapshot.downloadedBytes)), "reused_files": JSONValue(snapshot.reusedFiles),
        "to": to.map { .string(URL(fileURLWithPath: $0).path) } ?? .null,
      ])
      let data = object.serialized()
      print(String(decoding: data, as: UTF8.self))
      return
    }
    print(
      "\(snapshot.repository)@\(snapshot.commit.prefix(12)): \(snapshot.files.count) files, \(DownloadMeter.bytes(total)) (\(DownloadMeter.bytes(snapshot.downloadedBytes)) downloaded, \(snapshot.reusedFiles) already cached)"
    )
    print("snapshot: \(snapshot.directory.path)")
    if let to { print("placed in: \(URL(fileURLWithPath: to).path)") }
  }
}
