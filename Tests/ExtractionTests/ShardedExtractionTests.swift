import Corpora
import Extraction
import FeatureSets
import Foundation
import HookPoints
import TestSupport
import Testing

extension Fixture {
  /// An extractor of part `part` (or of everything) writing under `output`.
  func partExtractor(
    paths: [String], options: ExtractionOptions, output: URL, resume: Bool = false, part: ExtractionPart? = nil
  ) throws -> Extractor {
    try Extractor(
      model: model, modelPath: tinyModelURL, tokenizer: tokenizer, corpusPaths: paths,
      corpusOptions: CorpusOptions(policy: .fail), options: options, output: output, resume: resume, part: part)
  }
}

/// Sharded extraction in the library: the assignment rule (pinned by values from Python's
/// hashlib), corpus-relative names, each part's token share, empty parts, and a part
/// interrupted and resumed on its own.
@Suite struct ShardedExtractionTests {
  let hooks: [HookPoint] = [.mlpInput(layer: 0), .residualPost(layer: 1)]

  /// `int.from_bytes(hashlib.sha256(key).digest()[:8], "big") % n`, computed in Python.
  @Test func assignmentMatchesTheDocumentedRule() {
    #expect(FeatureManifest.Part.owner(relativePath: "pile-sample.jsonl.zst", member: nil, ordinal: 0, count: 7) == 5)
    #expect(FeatureManifest.Part.owner(relativePath: "pile-sample.jsonl.zst", member: nil, ordinal: 1, count: 7) == 1)
    #expect(FeatureManifest.Part.owner(relativePath: "docs.tar.gz", member: "a.txt", ordinal: 0, count: 3) == 1)
    #expect(FeatureManifest.Part.owner(relativePath: "sub/b.txt", member: nil, ordinal: 41, count: 1000) == 671)
    for ordinal in 0..<50 {
      #expect(FeatureManifest.Part.owner(relativePath: "x", member: nil, ordinal: ordinal, count: 1) == 0)
    }
  }

  /// Documents spread evenly over the parts (each document has one owner by construction).
  @Test(arguments: [2, 3, 7])
  func documentsSpreadEvenly(count: Int) {
    var sizes = [Int](repeating: 0, count: count)
    for ordinal in 0..<7000 {
      let owner = FeatureManifest.Part.owner(relativePath: "pile.jsonl", member: nil, ordinal: ordinal, count: count)
      #expect((0..<count).contains(owner))
      sizes[owner] += 1
    }
    let even = 7000 / count
    #expect(sizes.allSatisfy { abs($0 - even) < even / 5 }, "\(sizes)")
  }

  @Test func partsAndShares() throws {
    #expect(throws: ExtractionError.invalidPart(index: 3, count: 3)) { try ExtractionPart(index: 3, count: 3) }
    #expect(throws: ExtractionError.invalidPart(index: 0, count: 0)) { try ExtractionPart(index: 0, count: 0) }
    let shares = try (0..<3).map { try ExtractionPart(index: $0, count: 3).tokenShare(of: 1000) }
    #expect(shares == [334, 333, 333])
    #expect(try ExtractionPart(index: 4, count: 7).directory(in: URL(fileURLWithPath: "/o")).path == "/o/part-00004")
    #expect(FeatureManifest.Part.index(ofDirectoryName: "part-00012") == 12)
    #expect(FeatureManifest.Part.index(ofDirectoryName: "part-123456") == 123456)
    #expect(FeatureManifest.Part.index(ofDirectoryName: "part-1") == nil)
    #expect(FeatureManifest.Part.index(ofDirectoryName: "shard-00001") == nil)
  }

  /// Names are relative to the corpus root, so the same corpus read from another place keeps
  /// every document in its part.
  @Test func relativeNamesDoNotDependOnWhereTheCorpusIs() throws {
    let root = scratch()
    for place in ["one", "two/deeper"] {
      let directory = root.appendingPathComponent(place).appendingPathComponent("corpus")
      try FileManager.default.createDirectory(
        at: directory.appendingPathComponent("sub"), withIntermediateDirectories: true)
      try "x\n".write(to: directory.appendingPathComponent("a.txt"), atomically: true, encoding: .utf8)
      try "y\n".write(to: directory.appendingPathComponent("sub/b.txt"), atomically: true, encoding: .utf8)
    }
    let one = root.appendingPathComponent("one/corpus").path
    let two = root.appendingPathComponent("two/deeper/corpus").path
    #expect(try CorpusRelativeNames.names(for: [one]) == ["a.txt", "sub/b.txt"])
    #expect(try CorpusRelativeNames.names(for: [two + "/"]) == ["a.txt", "sub/b.txt"])
    #expect(try CorpusRelativeNames.names(for: [one + "/sub/b.txt"]) == ["b.txt"])
    #expect(try CorpusRelativeNames.names(for: [root.path + "/*/corpus/a.txt"]) == ["one/corpus/a.txt"])
    #expect(try CorpusRelativeNames.names(for: [root.path + "/one/*"]) == ["corpus/a.txt", "corpus/sub/b.txt"])
  }

  /// Parts of a token-limited extraction keep their shares; their documents are disjoint.
  @Test func partsKeepTheirShareOfTheTokenLimit() throws {
    let f = try Fixture()
    let options = ExtractionOptions(hooks: hooks, context: 48, batchTokens: 200, shardTokens: 400, maxTokens: 2000)
    let out = scratch()
    var documents: [Set<Int64>] = []
    for index in 0..<3 {
      let part = try ExtractionPart(index: index, count: 3)
      let manifest = try f.partExtractor(paths: [pileSample], options: options, output: out, part: part).run()
      #expect(manifest.complete && manifest.totalTokens == part.tokenShare(of: 2000))
      #expect(manifest.part == part.record)
      let set = try FeatureSet(directory: part.directory(in: out))
      var batches = try set.batches(of: [hooks[1]], batchSize: 4096, order: .sequential)
      var mine = Set<Int64>()
      while let batch = try batches.next() { mine.formUnion(batch.documentIndex) }
      documents.append(mine)
    }
    #expect(documents[0].isDisjoint(with: documents[1]) && documents[1].isDisjoint(with: documents[2]))
    let merged = try FeatureSetMerge.merge(directory: out)
    #expect(merged.totalTokens == 2000 && merged.complete && merged.parts?.count == 3)
    #expect(try FeatureSet(directory: out).rowCount == 2000)
  }

  /// A part with no document of its own finishes with no shard, and merges.
  @Test func aPartWithoutDocumentsIsCompleteAndEmpty() throws {
    let f = try Fixture()
    let corpus = scratch().appendingPathComponent("one.txt")
    try "just one short document in this corpus\n".write(to: corpus, atomically: true, encoding: .utf8)
    let options = ExtractionOptions(hooks: hooks, context: 16, batchTokens: 64, shardTokens: 100)
    let out = scratch()
    var rows: [Int] = []
    for index in 0..<4 {
      let manifest = try f.partExtractor(
        paths: [corpus.path], options: options, output: out, part: try ExtractionPart(index: index, count: 4)
      ).run()
      #expect(manifest.complete)
      rows.append(manifest.totalTokens)
    }
    #expect(rows.filter { $0 > 0 }.count == 1, "\(rows)")
    #expect(try FeatureSetMerge.merge(directory: out).totalTokens == rows.reduce(0, +))
  }

  /// A part stopped after its first shard resumes on its own (the other parts untouched) to
  /// the shards of an uninterrupted run of the same part; another count is refused.
  @Test func interruptedPartResumesToIdenticalShards() throws {
    let f = try Fixture()
    let options = ExtractionOptions(hooks: hooks, context: 48, batchTokens: 200, shardTokens: 300, maxTokens: 3000)
    let part = try ExtractionPart(index: 1, count: 3)
    let whole = scratch()
    let full = try f.partExtractor(paths: [pileSample], options: options, output: whole, part: part).run()
    #expect(full.shards.count >= 3)

    let out = scratch()
    let first = try f.partExtractor(paths: [pileSample], options: options, output: out, part: part)
    first.stopAfterShards = 1
    #expect(try !first.run().complete)
    let other = try ExtractionPart(index: 1, count: 4)
    #expect(throws: ExtractionError.self) {
      _ = try f.partExtractor(paths: [pileSample], options: options, output: out, resume: true, part: other)
    }
    let finished = try f.partExtractor(paths: [pileSample], options: options, output: out, resume: true, part: part)
      .run()
    #expect(finished.shards == full.shards, "shard names, token counts and sha256 must match")
    for shard in full.shards {
      let a = try Data(contentsOf: part.directory(in: whole).appendingPathComponent(shard.files[0].path))
      let b = try Data(contentsOf: part.directory(in: out).appendingPathComponent(shard.files[0].path))
      #expect(a == b, "\(shard.name) differs")
    }
  }

  /// A merged set is read, not resumed.
  @Test func aMergedSetIsNotResumed() throws {
    let f = try Fixture()
    let options = ExtractionOptions(hooks: hooks, context: 48, batchTokens: 200, shardTokens: 400, maxTokens: 600)
    let out = scratch()
    for index in 0..<2 {
      _ = try f.partExtractor(
        paths: [pileSample], options: options, output: out, part: try ExtractionPart(index: index, count: 2)
      )
      .run()
    }
    try FeatureSetMerge.merge(directory: out)
    #expect(throws: ExtractionError.resumeMergedSet(directory: out)) {
      _ = try f.partExtractor(paths: [pileSample], options: options, output: out, resume: true)
    }
  }
}
