import Checkpoints
import Corpora
import Extraction
import FeatureSets
import Foundation
import HookPoints
import RunControl
import TensorCore
import TestSupport
import Testing

/// Extraction under interruption, damage and unreasonable options (issue 14).
@Suite struct ExtractionReliabilityTests {
  let hooks: [HookPoint] = [.residualPost(layer: 1)]
  /// Shards end in the middle of long Pile documents (many windows each).
  var options: ExtractionOptions {
    ExtractionOptions(hooks: hooks, context: 48, batchTokens: 200, shardTokens: 400, maxTokens: 2500)
  }

  /// Item 10: a resumed run counts the document it resumes in once, as an uninterrupted run does.
  @Test func resumedRunCountsEachDocumentOnce() throws {
    let f = try Fixture()
    let full = try f.extractor(paths: [pileSample], options: options, output: scratch()).run()
    let parts = scratch()
    let first = try f.extractor(paths: [pileSample], options: options, output: parts)
    first.stopAfterShards = 2
    let partial = try first.run()
    #expect(partial.resume.window > 0, "the test needs a shard that ends inside a document")
    let resumed = try f.extractor(paths: [pileSample], options: options, output: parts, resume: true).run()
    #expect(resumed.counters == full.counters)
    #expect(resumed.counters.documentsUsed <= resumed.counters.documentsRead)
  }

  /// Item 7: only bae's own temporary files (its naming, in the set's folder and its shard
  /// folders) are removed; look-alikes of the user's, and anything in the user's folders, stay.
  @Test func onlyBaesOwnTemporaryFilesAreRemoved() throws {
    let f = try Fixture()
    let out = scratch()
    let first = try f.extractor(paths: [pileSample], options: options, output: out)
    first.stopAfterShards = 1
    _ = try first.run()
    let fm = FileManager.default
    let ours = [".shard-00001.safetensors.partial-4242-beef", ".manifest.json.partial-1-2"]
    let theirs = [
      ".mydata.partial-1-2", "notes.partial", "mine/.shard-00000.safetensors.partial-1-2",
      "shard-notes/.x.npy.partial-1-2", "mine/deeper/.manifest.json.partial-3-4",
    ]
    for name in ours + theirs {
      let url = out.appendingPathComponent(name)
      try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try Data("x".utf8).write(to: url)
    }
    _ = try f.extractor(paths: [pileSample], options: options, output: out, resume: true).run()
    for name in ours { #expect(!fm.fileExists(atPath: out.appendingPathComponent(name).path), "\(name)") }
    for name in theirs { #expect(fm.fileExists(atPath: out.appendingPathComponent(name).path), "\(name)") }
  }

  /// Item 14: a failed extraction does not leave behind the output directory it created.
  @Test func failedExtractionRemovesTheDirectoryItCreated() throws {
    let f = try Fixture()
    let directory = scratch()
    let empty = directory.appendingPathComponent("empty.txt")
    try Data("\n\n".utf8).write(to: empty)
    let out = directory.appendingPathComponent("out")
    #expect(throws: (any Error).self) {
      try f.extractor(paths: [empty.path], options: ExtractionOptions(hooks: hooks, shardTokens: 100), output: out)
        .run()
    }
    #expect(!FileManager.default.fileExists(atPath: out.path))
    // A directory that existed before is left in place.
    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    #expect(throws: (any Error).self) {
      try f.extractor(paths: [empty.path], options: ExtractionOptions(hooks: hooks, shardTokens: 100), output: out)
        .run()
    }
    #expect(FileManager.default.fileExists(atPath: out.path))
  }

  /// Item 6: a batch far beyond the machine's memory is refused before anything is read, with
  /// the estimate in the message.
  @Test func hugeBatchIsRefusedWithAMemoryEstimate() throws {
    let f = try Fixture()
    #expect {
      _ = try f.extractor(
        paths: [pileSample],
        options: ExtractionOptions(hooks: hooks, batchTokens: 1_000_000_000_000, shardTokens: 1000), output: scratch())
    } throws: { error in
      let text = String(describing: error)
      return text.contains("memory") && text.contains("batch")
    }
  }

  /// Item 5: a shard deleted or changed after the run stops a resume, naming the shard.
  @Test(arguments: ["flip", "delete"])
  func damagedShardStopsAResume(damage: String) throws {
    let f = try Fixture()
    let out = scratch()
    let first = try f.extractor(paths: [pileSample], options: options, output: out)
    first.stopAfterShards = 3
    _ = try first.run()
    let shard = out.appendingPathComponent("shard-00001.safetensors")
    if damage == "flip" {
      var data = try Data(contentsOf: shard)
      data[data.count / 2] ^= 0x10
      try data.write(to: shard)
    } else {
      try FileManager.default.removeItem(at: shard)
    }
    #expect {
      _ = try f.extractor(paths: [pileSample], options: options, output: out, resume: true).run()
    } throws: { error in
      String(describing: error).contains("shard-00001")
    }
  }
}

/// Bounded-memory tokenization, repair and cancellation (issue 14, items 2, 5 and 12).
@Suite struct ExtractionStreamingTests {
  let hooks: [HookPoint] = [.residualPost(layer: 1)]
  var options: ExtractionOptions {
    ExtractionOptions(hooks: hooks, context: 48, batchTokens: 200, shardTokens: 400, maxTokens: 2500)
  }

  /// Windows cut from a document encoded in small parts equal the windows of its whole ids, for
  /// every BOS policy and several contexts, on the Pile sample's documents.
  @Test func windowsFromPartsEqualWindowsFromTheWholeDocument() throws {
    let f = try Fixture()
    let corpus = try Corpus(paths: [pileSample], options: CorpusOptions(policy: .fail))
    var documents: [String] = []
    while documents.count < 12, let document = try corpus.next() { documents.append(document.text) }
    documents.append(documents.joined(separator: "\n"))
    let policies: [BOSPolicy] = f.tokenizer.bosTokenID == nil ? [.auto, .off] : [.auto, .on, .off]
    for policy in policies {
      for context in [2, 5, 48] {
        let cutter = try WindowCutter(tokenizer: f.tokenizer, context: context, policy: policy)
        for text in documents {
          let whole = cutter.windows(of: try f.tokenizer.encodeIDs(text))
          for partLength in [1, 13, 300] {
            var stream = cutter.windowStream(of: text, tokenizer: f.tokenizer, partLength: partLength)
            var streamed: [[Int32]] = []
            while let window = try stream.nextWindow() { streamed.append(window) }
            #expect(streamed == whole, "\(policy) context \(context) parts of \(partLength)")
          }
        }
      }
    }
  }

  /// An extraction with tiny tokenizer parts writes byte-identical shards.
  @Test func smallTokenizerPartsWriteIdenticalShards() throws {
    let f = try Fixture()
    let a = scratch()
    let reference = try f.extractor(paths: [pileSample], options: options, output: a).run()
    let b = scratch()
    let small = try f.extractor(paths: [pileSample], options: options, output: b)
    small.tokenizerPartLength = 17
    #expect(try small.run().shards == reference.shards)
  }

  /// Item 5: `repair` removes the damaged shard and those after it and writes them again, the
  /// same bytes as before.
  @Test func aDamagedShardIsRepairedToTheSameBytes() throws {
    let f = try Fixture()
    let out = scratch()
    let full = try f.extractor(paths: [pileSample], options: options, output: out).run()
    #expect(full.shards.count >= 5)
    let shard = out.appendingPathComponent("shard-00002.safetensors")
    var data = try Data(contentsOf: shard)
    data[100] ^= 0x01
    try data.write(to: shard)
    #expect(throws: ExtractionError.self) {
      _ = try f.extractor(paths: [pileSample], options: options, output: out, resume: true)
    }
    let repairing = try f.extractor(paths: [pileSample], options: options, output: out, resume: true, repair: true)
    #expect(repairing.repairedFromShard == "shard-00002")
    let repaired = try repairing.run()
    #expect(repaired.shards == full.shards)
    #expect(repaired.counters == full.counters)
    #expect(repaired.firstDamagedShard(in: out) == nil)
  }

  /// Item 12: a cancelled run writes no file of the shard in progress, leaves a manifest of the
  /// complete shards, and resumes to the same shards as an uninterrupted run.
  @Test(arguments: [0, 2])
  func aCancelledRunStopsCleanlyAndResumes(afterShards: Int) throws {
    let f = try Fixture()
    let full = try f.extractor(paths: [pileSample], options: options, output: scratch()).run()
    let out = scratch()
    let cancellation = Cancellation()
    #expect {
      try f.extractor(paths: [pileSample], options: options, output: out).run(cancellation: cancellation) { p in
        if p.shards >= afterShards { cancellation.cancel(reason: .terminate) }
      }
    } throws: { error in
      guard case .cancelled(_, let reason, let shards, _) = error as? ExtractionError else { return false }
      return reason == .terminate && shards == afterShards
    }
    let files = try FileManager.default.contentsOfDirectory(atPath: out.path)
    #expect(!files.contains { AtomicFile.isTemporaryFile($0) }, "\(files)")
    let manifest = try FeatureManifest.load(from: out)
    #expect(manifest.shards.count == afterShards && !manifest.complete)
    #expect(files.filter { $0.hasPrefix("shard-") }.count == afterShards)
    let resumed = try f.extractor(paths: [pileSample], options: options, output: out, resume: true).run()
    #expect(resumed.shards == full.shards)
  }
}
