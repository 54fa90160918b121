import Digests
import Foundation

/// What ``FeatureSet/verify()`` checked.
public struct FeatureSetVerification: Sendable, Equatable {
  /// Shards checked.
  public var shardCount: Int
  /// Files checked.
  public var fileCount: Int
  /// Rows in the checked shards.
  public var rowCount: Int
  /// Bytes hashed.
  public var byteCount: Int

  /// A summary of a verification.
  public init(shardCount: Int, fileCount: Int, rowCount: Int, byteCount: Int) {
    self.shardCount = shardCount
    self.fileCount = fileCount
    self.rowCount = rowCount
    self.byteCount = byteCount
  }
}

extension FeatureSet {
  /// Checks the SHA-256 of every shard file against its manifest.
  ///
  /// - Complexity: reads every byte of the set once, 4 MiB at a time (memory stays small).
  /// - Returns: what was checked.
  /// - Throws: ``FeatureSetError/damagedShard(file:reason:)`` naming the first file whose
  ///   checksum (or size) differs or that cannot be read.
  public func verify() throws(FeatureSetError) -> FeatureSetVerification {
    var summary = FeatureSetVerification(shardCount: 0, fileCount: 0, rowCount: 0, byteCount: 0)
    for shard in shards {
      for record in shard.record.files {
        let url = shard.directory.appendingPathComponent(record.path)
        let (digest, bytes) = try fileDigest(url)
        guard bytes == record.bytes else {
          throw .damagedShard(file: url, reason: "\(bytes) bytes on disk; the manifest records \(record.bytes)")
        }
        guard digest == record.sha256.lowercased() else {
          throw .damagedShard(file: url, reason: "SHA-256 \(digest) differs from the manifest's \(record.sha256)")
        }
        summary.fileCount += 1
        summary.byteCount += bytes
      }
      summary.shardCount += 1
      summary.rowCount += shard.rows
    }
    return summary
  }
}

extension FeatureManifest {
  /// The first shard of this manifest (in `directory`) whose files are missing or differ from
  /// their records in size or SHA-256, and what is wrong with it; `nil` when every shard is intact.
  ///
  /// - Parameter checksums: hash every file (reads the whole set once); `false` checks
  ///   existence and sizes only (one `stat` per file).
  /// - Complexity: with `checksums`, reads every byte of the set, 4 MiB at a time.
  public func firstDamagedShard(in directory: URL, checksums: Bool = true) -> (
    index: Int, problem: FeatureSetError
  )? {
    for (index, shard) in shards.enumerated() {
      for record in shard.files {
        let url = directory.appendingPathComponent(record.path)
        if let problem = Self.damage(of: url, record: record, checksum: checksums) { return (index, problem) }
      }
    }
    return nil
  }

  /// What is wrong with the file at `url` compared with `record`, or `nil`.
  static func damage(of url: URL, record: FileRecord, checksum: Bool) -> FeatureSetError? {
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
      let size = (attributes[.size] as? NSNumber)?.intValue
    else {
      return .damagedShard(file: url, reason: "the file is missing")
    }
    guard size == record.bytes else {
      return .damagedShard(file: url, reason: "\(size) bytes on disk; the manifest records \(record.bytes)")
    }
    guard checksum else { return nil }
    do {
      let (digest, _) = try fileDigest(url)
      guard digest == record.sha256.lowercased() else {
        return .damagedShard(file: url, reason: "SHA-256 \(digest) differs from the manifest's \(record.sha256)")
      }
    } catch {
      return error
    }
    return nil
  }
}

/// The lowercase hex SHA-256 and the size of the file at `url`, read in 4 MiB blocks.
///
/// - Throws: ``FeatureSetError/damagedShard(file:reason:)`` if it cannot be read.
func fileDigest(_ url: URL) throws(FeatureSetError) -> (sha256: String, bytes: Int) {
  let handle: FileHandle
  do {
    handle = try FileHandle(forReadingFrom: url)
  } catch {
    throw .damagedShard(file: url, reason: "cannot open the file: \(error.localizedDescription)")
  }
  defer { try? handle.close() }
  var hasher = SHA256()
  var bytes = 0
  while true {
    let block: Data?
    do {
      block = try handle.read(upToCount: 4 << 20)
    } catch {
      throw .damagedShard(file: url, reason: "cannot read the file: \(error.localizedDescription)")
    }
    guard let block, !block.isEmpty else { break }
    hasher.update(data: block)
    bytes += block.count
  }
  return (hasher.finalize().hex, bytes)
}
