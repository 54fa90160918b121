import Foundation
import HookPoints
import TensorCore

#if canImport(Glibc)
  import Glibc
#endif

/// One feature-set directory written by `bae extract`, or several read as one set (their rows
/// concatenated in the order given): the manifests, checked against the shard files on disk.
///
/// Opening reads only the manifests and the sizes of the shard files; rows are read by
/// ``batches(of:batchSize:order:dropLast:)`` (bounded memory, any set size) or
/// ``rows(of:)`` (everything at once, for small sets).
///
/// ```swift
/// let set = try FeatureSet(directories: [URL(fileURLWithPath: "features/pile-l12")])
/// let record = try set.record(for: .residualPost(layer: 12))  // name, layer, site, width
/// ```
public struct FeatureSet: Sendable {
  /// How to open a set.
  public struct OpenOptions: Sendable, Hashable {
    /// Read the shards of a set whose manifest says the extraction has not finished (it
    /// lists complete shards only); otherwise such a set is refused with
    /// ``FeatureSetError/incomplete(directory:)``.
    public var allowIncomplete: Bool
    /// Check the SHA-256 of every shard file against the manifest while opening (reads every
    /// byte of the set once; see ``FeatureSet/verify()``). Sizes are always checked.
    public var verifyChecksums: Bool

    /// Options; the defaults refuse incomplete sets and check sizes but not checksums.
    public init(allowIncomplete: Bool = false, verifyChecksums: Bool = false) {
      self.allowIncomplete = allowIncomplete
      self.verifyChecksums = verifyChecksums
    }
  }

  /// The directories, in reading order.
  public let directories: [URL]
  /// Their manifests, in the same order.
  public let manifests: [FeatureManifest]
  /// The hooks present in every directory, in the first directory's order.
  public let hooks: [HookRecord]
  /// Rows (tokens) in all directories together.
  public let rowCount: Int
  /// Every shard of every directory, in reading order.
  let shards: [ShardLocation]

  /// Opens `directories` as one set.
  ///
  /// Checks, for every directory: the manifest parses and is of this format version; the set
  /// is complete (unless `options.allowIncomplete`); its dtype and file format can be read;
  /// its shard records add up to its `totalTokens`; every shard file the manifest lists
  /// exists and has the recorded size (and, with `options.verifyChecksums`, the recorded
  /// SHA-256). Across directories, a hook present in several must have the same width.
  ///
  /// - Throws: ``FeatureSetError``: `.invalidRequest` (no directory),
  ///   `.missingManifest`/`.badManifest`, `.incomplete`, `.damagedShard` (a missing file, a size
  ///   or checksum that differs, naming the file), `.widthMismatch`.
  public init(directories: [URL], options: OpenOptions = OpenOptions()) throws(FeatureSetError) {
    guard !directories.isEmpty else { throw .invalidRequest("no feature-set directory given") }
    var manifests: [FeatureManifest] = []
    var shards: [ShardLocation] = []
    for directory in directories {
      let manifest = try FeatureManifest.load(from: directory)
      guard manifest.complete || options.allowIncomplete else { throw .incomplete(directory: directory) }
      let located = try Self.locateShards(of: manifest, in: directory)
      try Self.checkSizes(located)
      manifests.append(manifest)
      shards += located
    }
    self.directories = directories
    self.manifests = manifests
    self.hooks = try Self.commonHooks(manifests, directories)
    self.shards = shards
    rowCount = shards.reduce(0) { $0 + $1.rows }
    if options.verifyChecksums { _ = try verify() }
  }

  /// Opens one directory; see ``init(directories:options:)``.
  public init(directory: URL, options: OpenOptions = OpenOptions()) throws(FeatureSetError) {
    try self.init(directories: [directory], options: options)
  }

  /// Number of shards in all directories together.
  public var shardCount: Int { shards.count }

  /// The record (name, layer, site, width) of `point`.
  ///
  /// - Throws: ``FeatureSetError/missingHook(name:directory:available:)`` naming the first
  ///   directory that lacks it and listing that directory's hooks.
  public func record(for point: HookPoint) throws(FeatureSetError) -> HookRecord {
    if let record = hooks.first(where: { $0.name == point.name }) { return record }
    let index = manifests.firstIndex { $0.hook(named: point.name) == nil } ?? 0
    throw .missingHook(name: point.name, directory: directories[index], available: manifests[index].hooks.map(\.name))
  }

  /// The shards of `manifest`, after checking the manifest describes a set this build reads.
  private static func locateShards(of manifest: FeatureManifest, in directory: URL) throws(FeatureSetError)
    -> [ShardLocation]
  {
    let file = FeatureManifest.url(in: directory)
    let dtype = manifest.options.dtype
    let format = manifest.options.fileFormat
    guard [.float32, .float16, .bfloat16].contains(dtype) else {
      throw .badManifest(file: file, reason: "hook dtype \(dtype.rawValue); feature sets store F32, F16 or BF16")
    }
    guard format == .safetensors || dtype != .bfloat16 else {
      throw .badManifest(file: file, reason: "npy shards cannot hold BF16 (NumPy has no bfloat16)")
    }
    guard !manifest.hooks.isEmpty else { throw .badManifest(file: file, reason: "the manifest lists no hooks") }
    var total = 0
    for shard in manifest.shards {
      guard shard.tokens >= 0, let sum = CheckedSize.sum(total, shard.tokens) else {
        throw .badManifest(file: file, reason: "shard \(shard.name) has an impossible token count \(shard.tokens)")
      }
      total = sum
      var expected: [String]
      switch format {
      case .safetensors: expected = ["\(shard.name).safetensors"]
      case .npy:
        expected = (manifest.hooks.map(\.name) + ["token_ids", "doc_index", "position"]).map {
          "\(shard.name)/\($0).npy"
        }
      }
      expected.removeAll { path in shard.files.contains { $0.path == path } }
      guard expected.isEmpty else {
        throw .badManifest(file: file, reason: "shard \(shard.name) does not list \(expected.joined(separator: ", "))")
      }
      for record in shard.files {
        let components = record.path.split(separator: "/")
        guard !record.path.hasPrefix("/"), !components.contains(".."), record.bytes >= 0 else {
          throw .badManifest(file: file, reason: "shard \(shard.name) lists the file '\(record.path)' outside the set")
        }
      }
    }
    guard total == manifest.totalTokens else {
      throw .badManifest(file: file, reason: "totalTokens is \(manifest.totalTokens) but the shards hold \(total) rows")
    }
    return manifest.shards.map { ShardLocation(directory: directory, record: $0, dtype: dtype, format: format) }
  }

  /// Checks that every file of `shards` exists and has the size its manifest records (a cheap
  /// check that catches files cut short by a full disk or a partial copy).
  private static func checkSizes(_ shards: [ShardLocation]) throws(FeatureSetError) {
    for shard in shards {
      for record in shard.record.files {
        let url = shard.directory.appendingPathComponent(record.path)
        var status = stat()
        guard stat(url.path, &status) == 0 else {
          throw .damagedShard(file: url, reason: "the file is missing (\(String(cString: strerror(errno))))")
        }
        guard Int(status.st_size) == record.bytes else {
          throw .damagedShard(
            file: url, reason: "\(status.st_size) bytes on disk; the manifest records \(record.bytes)")
        }
      }
    }
  }

  /// The hooks of the first manifest that every other manifest also holds, after checking
  /// that the directories agree on the width of every hook they share.
  private static func commonHooks(_ manifests: [FeatureManifest], _ directories: [URL]) throws(FeatureSetError)
    -> [HookRecord]
  {
    var widths: [String: Int] = [:]
    for (manifest, directory) in zip(manifests, directories) {
      for hook in manifest.hooks {
        if let expected = widths[hook.name], expected != hook.width {
          throw .widthMismatch(hook: hook.name, expected: expected, found: hook.width, directory: directory)
        }
        widths[hook.name] = hook.width
      }
    }
    return manifests[0].hooks.filter { hook in manifests.allSatisfy { $0.hook(named: hook.name) != nil } }
  }
}
