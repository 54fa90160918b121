import Checkpoints
import Foundation

/// Merges the parts of a sharded extraction (`OUT/part-00000/`, `OUT/part-00001/`, …) into one
/// feature set by writing `OUT/manifest.json`, which lists every shard of every part by its
/// path relative to `OUT` (`part-00001/shard-00000.safetensors`). No row is copied.
///
/// The merged manifest is an ordinary version-2 manifest whose shard names are paths, so every
/// reader of feature sets (``FeatureSet``, `bae train`, `scripts/features_to_pkl.py`) reads it
/// as one set: the rows of part 0, then part 1, and so on. It also lists the parts
/// (``FeatureManifest/parts``) and is complete only when every part is.
///
/// ```swift
/// let merged = try FeatureSetMerge.merge(directory: URL(fileURLWithPath: "out/l12"))
/// let set = try FeatureSet(directory: URL(fileURLWithPath: "out/l12"))
/// ```
public enum FeatureSetMerge {
  /// How strict a merge is.
  public struct Options: Sendable, Hashable {
    /// Merge the complete shards of parts that are still running (or were interrupted), and
    /// leave out parts that have not written a manifest yet. The merged set is then marked
    /// incomplete, and readers need their own permission to read it.
    public var allowIncomplete: Bool
    /// Check the SHA-256 of every shard file of every part (reads every byte once).
    public var verifyChecksums: Bool

    /// Options; the defaults require every part complete and check sizes, not checksums.
    public init(allowIncomplete: Bool = false, verifyChecksums: Bool = false) {
      self.allowIncomplete = allowIncomplete
      self.verifyChecksums = verifyChecksums
    }
  }

  /// Checks the parts in `directory` and writes the merged `directory/manifest.json`.
  ///
  /// Checks: at least one `part-IIIII` directory; each part's manifest records part `IIIII`
  /// of the same count; every index below the count is present and complete (unless
  /// `allowIncomplete`); the parts agree on the model, hooks, extraction options, corpus,
  /// OpenBLAS kernel family and assignment rule (thread counts may differ); every shard file
  /// has its recorded size (and SHA-256 with `verifyChecksums`); no document has rows in two
  /// parts (read from the `doc_index` arrays, 8 bytes a row).
  ///
  /// Merging again (for instance once the last parts finish) rewrites the merged manifest; a
  /// directory whose own manifest describes an unsharded set is refused.
  ///
  /// - Parameters:
  ///   - directory: the extraction's output directory (the parent of the part directories).
  ///   - options: see ``Options``.
  /// - Returns: the merged manifest, as written.
  /// - Throws: ``FeatureSetMergeError``.
  @discardableResult
  public static func merge(directory: URL, options: Options = Options()) throws(FeatureSetMergeError)
    -> FeatureManifest
  {
    let own = FeatureManifest.url(in: directory)
    if FileManager.default.fileExists(atPath: own.path) {
      let existing: FeatureManifest
      do {
        existing = try FeatureManifest.load(from: directory)
      } catch {
        throw .featureSet(error)
      }
      guard existing.isMerged else { throw .notShardedSet(directory: directory) }
    }
    let parts = try loadParts(in: directory)
    let first = parts[0]
    let count = first.manifest.part!.count
    try checkConsistent(parts)

    let present = Set(parts.map(\.index))
    let missing = (0..<count).filter { !present.contains($0) }
    if !missing.isEmpty && !options.allowIncomplete {
      throw .missingParts(directory: directory, missing: missing, count: count)
    }
    for part in parts where !part.manifest.complete && !options.allowIncomplete {
      throw .incompletePart(part: part.url)
    }

    // Sizes (and checksums) of every listed shard file, through the set reader's own checks.
    var sets: [FeatureSet] = []
    for part in parts {
      do {
        sets.append(
          try FeatureSet(
            directory: part.url,
            options: .init(allowIncomplete: true, verifyChecksums: options.verifyChecksums)))
      } catch {
        throw .featureSet(error)
      }
    }
    try checkDisjointDocuments(parts, sets)

    var merged = first.manifest
    merged.generator = "bae features merge"
    merged.part = nil
    merged.lastSource = nil
    merged.resume = .start
    merged.shards = []
    merged.totalTokens = 0
    merged.counters = FeatureManifest.Counters()
    var records: [FeatureManifest.MergedPart] = []
    for part in parts {
      let m = part.manifest
      let prefix = part.url.lastPathComponent
      for shard in m.shards {
        merged.shards.append(
          FeatureManifest.ShardRecord(
            name: "\(prefix)/\(shard.name)", tokens: shard.tokens,
            files: shard.files.map { .init(path: "\(prefix)/\($0.path)", bytes: $0.bytes, sha256: $0.sha256) }))
      }
      merged.totalTokens += m.totalTokens
      // Every part reads the whole corpus (and skips the same bad input); each uses its own documents.
      merged.counters.documentsRead = max(merged.counters.documentsRead, m.counters.documentsRead)
      merged.counters.badInputSkipped = max(merged.counters.badInputSkipped, m.counters.badInputSkipped)
      merged.counters.documentsUsed += m.counters.documentsUsed
      merged.counters.windows += m.counters.windows
      records.append(
        .init(
          path: prefix, index: part.index, count: count, tokens: m.totalTokens, shards: m.shards.count,
          documentsUsed: m.counters.documentsUsed, complete: m.complete, compute: m.compute))
    }
    merged.parts = records
    merged.complete = missing.isEmpty && parts.allSatisfy(\.manifest.complete)
    guard merged.totalTokens > 0 || !merged.complete else { throw .empty(directory: directory) }
    do {
      try merged.write(to: directory)
    } catch {
      throw .featureSet(error)
    }
    return merged
  }

  /// One part directory and its manifest.
  private struct LoadedPart {
    var url: URL
    var index: Int
    var manifest: FeatureManifest
  }

  /// The part directories with a manifest, sorted by index, after checking each is the part
  /// its name says.
  private static func loadParts(in directory: URL) throws(FeatureSetMergeError) -> [LoadedPart] {
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
    var parts: [LoadedPart] = []
    for name in names {
      guard let index = FeatureManifest.Part.index(ofDirectoryName: name) else { continue }
      let url = directory.appendingPathComponent(name)
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
        continue
      }
      // A part killed before its first shard has no manifest yet: absent, like one not started.
      guard FileManager.default.fileExists(atPath: FeatureManifest.url(in: url).path) else { continue }
      let manifest: FeatureManifest
      do {
        manifest = try FeatureManifest.load(from: url)
      } catch {
        throw .featureSet(error)
      }
      guard let part = manifest.part else {
        throw .foreignPart(part: url, reason: "its manifest records no part (an unsharded extraction)")
      }
      guard part.index == index else {
        throw .foreignPart(part: url, reason: "its manifest records part \(part), not part \(index)")
      }
      guard part.count >= 1, part.index < part.count else {
        throw .foreignPart(part: url, reason: "its manifest records the impossible part \(part)")
      }
      parts.append(LoadedPart(url: url, index: index, manifest: manifest))
    }
    guard let first = parts.first else { throw .noParts(directory: directory) }
    let count = first.manifest.part!.count
    for part in parts where part.manifest.part!.count != count {
      throw .mismatch(
        part: part.url, field: .partCount, expected: "\(count)", found: "\(part.manifest.part!.count)")
    }
    return parts
  }

  /// Refuses parts whose recorded run differs from the first part's in anything that shapes
  /// the rows (thread counts may differ: they change the last bits, not what is extracted).
  private static func checkConsistent(_ parts: [LoadedPart]) throws(FeatureSetMergeError) {
    let a = parts[0].manifest
    for part in parts.dropFirst() {
      let b = part.manifest
      func check<T: Equatable>(_ field: FeatureSetMergeError.Field, _ x: T, _ y: T, _ show: (T) -> String)
        throws(FeatureSetMergeError)
      {
        if x != y { throw .mismatch(part: part.url, field: field, expected: show(x), found: show(y)) }
      }
      try check(.model, a.model, b.model) { $0.description }
      try check(.hooks, a.hooks.map(\.name), b.hooks.map(\.name)) { $0.joined(separator: ",") }
      try check(.extractionOptions, a.options, b.options) { "\($0)" }
      try check(.corpus, a.corpus, b.corpus) {
        "\($0.paths.joined(separator: " ")) (\($0.files.count) files, \($0.options))"
      }
      try check(.blasKernels, a.blasKernels, b.blasKernels) { $0 ?? "unrecorded" }
      try check(.assignment, a.part!.assignment, b.part!.assignment) { $0 }
    }
  }

  /// Reads the `doc_index` arrays of every part and refuses a document found in two.
  private static func checkDisjointDocuments(_ parts: [LoadedPart], _ sets: [FeatureSet])
    throws(FeatureSetMergeError)
  {
    var owner: [Int64: Int] = [:]
    for (p, set) in sets.enumerated() {
      var stream = RowStream(shards: set.shards, hooks: [])
      var documents: [Int64] = []
      var last: Int64?
      do {
        _ = try stream.read(upTo: set.rowCount) { shard, range, _ in
          var values = [Int64](repeating: 0, count: range.count)
          values.withUnsafeMutableBytes { shard.documentIndex.copyBytes(rows: range, to: $0.baseAddress!) }
          for value in values where value != last {
            documents.append(value)
            last = value
          }
        }
      } catch {
        throw .featureSet(error)
      }
      for document in documents {
        if let other = owner[document], other != p {
          throw .documentInTwoParts(document: document, first: parts[other].url, second: parts[p].url)
        }
        owner[document] = p
      }
    }
  }
}
