import Checkpoints
import Corpora
import Extraction
import FeatureSets
import Foundation
import HookPoints
import Models
import TensorCore
import TestSupport
import Testing
import Tokenizers

/// The tiny model with a real byte-level BPE tokenizer (scripts/make_extract_fixture.py).
let tinyModelURL = repositoryRoot.appendingPathComponent("Tests/ModelsTests/Resources/tiny-extract")
let pileSample = repositoryRoot.appendingPathComponent("corpora/pile-sample.jsonl.zst").path

func scratch() -> URL {
  // A fresh directory under the test process's scratch root (removed at exit).
  (try? ScratchDirectory("extract").url)
    ?? FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
}

struct Fixture {
  let model: LlamaModel
  let tokenizer: any Tokenizer
  init() throws {
    model = try LlamaModel.load(from: tinyModelURL)
    tokenizer = try TokenizerLoader.load(modelPath: tinyModelURL)
  }

  func extractor(
    paths: [String], options: ExtractionOptions, output: URL, resume: Bool = false,
    corpusOptions: CorpusOptions = CorpusOptions(policy: .fail), context: ComputeContext? = nil, repair: Bool = false
  ) throws -> Extractor {
    try Extractor(
      model: model, modelPath: tinyModelURL, tokenizer: tokenizer, corpusPaths: paths, corpusOptions: corpusOptions,
      options: options, output: output, resume: resume, context: context, repair: repair)
  }
}

/// Concatenates one tensor over all shards of a safetensors feature set.
func concatenated(_ name: String, in directory: URL) throws -> [Float] {
  let manifest = try FeatureManifest.load(from: directory)
  return try manifest.shards.flatMap {
    try SafetensorsFile(directory.appendingPathComponent($0.files[0].path)).floats(name)
  }
}

func concatenatedInts(_ name: String, in directory: URL) throws -> [Int32] {
  let manifest = try FeatureManifest.load(from: directory)
  return try manifest.shards.flatMap {
    try SafetensorsFile(directory.appendingPathComponent($0.files[0].path)).int32s(name)
  }
}

@Suite struct ExtractionTests {
  let hooks: [HookPoint] = [.mlpInput(layer: 0), .residualPost(layer: 1)]

  /// The shards hold exactly what a plain forward pass gives on the same windows.
  func checkAgainstForwardPass(paths: [String], corpusOptions: CorpusOptions, options: ExtractionOptions) throws {
    let f = try Fixture()
    let out = scratch()
    let manifest = try f.extractor(paths: paths, options: options, output: out, corpusOptions: corpusOptions).run()
    #expect(manifest.complete)
    let points = hooks

    // Independent reference: read, tokenize, cut and run window by window.
    let corpus = try Corpus(paths: paths, options: corpusOptions)
    var expected: [HookPoint: [Float]] = [:]
    var expectedIDs: [Int32] = []
    var expectedDocs: [Int32] = []
    var ordinal: Int32 = 0
    let limit = options.maxTokens ?? .max
    documents: while let document = try corpus.next() {
      defer { ordinal += 1 }
      let windows = contextWindows(
        of: try f.tokenizer.encodeIDs(document.text), context: options.context, bos: nil, stripLeadingToken: false)
      for window in windows {
        var recorder = ActivationRecorder(points)
        try f.model.forward(
          batch: [window], state: LlamaRunState(configuration: f.model.configuration), hooks: &recorder,
          context: ComputeContext())
        for p in options.skipFirst..<max(options.skipFirst, window.count) {
          if expectedIDs.count == limit { break documents }
          expectedIDs.append(window[p])
          expectedDocs.append(ordinal)
          for point in points { expected[point, default: []] += recorder.values[point]![(p * 32)..<((p + 1) * 32)] }
        }
      }
    }
    #expect(manifest.totalTokens == expectedIDs.count)
    #expect(try concatenatedInts("token_ids", in: out) == expectedIDs)
    #expect(try concatenatedInts("doc_index", in: out) == expectedDocs)
    for point in points {
      let diff = maxAbsDiff(try concatenated(point.name, in: out), expected[point]!)
      #expect(diff <= 1e-5, "\(point.name): maxdiff \(diff)")
    }
  }

  @Test func pileJSONLZstMatchesForwardPass() throws {
    try checkAgainstForwardPass(
      paths: [pileSample], corpusOptions: CorpusOptions(policy: .fail),
      options: ExtractionOptions(hooks: hooks, context: 64, batchTokens: 300, shardTokens: 700, maxTokens: 3000))
  }

  @Test func tarGzOfTextFilesMatchesForwardPass() throws {
    let directory = scratch()
    let texts = directory.appendingPathComponent("texts")
    try FileManager.default.createDirectory(at: texts, withIntermediateDirectories: true)
    try
      "It is a truth universally acknowledged.\nThat a single man in possession of a good fortune\n\nmust be in want of a wife."
      .write(to: texts.appendingPathComponent("a.txt"), atomically: true, encoding: .utf8)
    try "In the beginning God created the heaven and the earth.\nAnd the earth was without form, and void."
      .write(to: texts.appendingPathComponent("b.txt"), atomically: true, encoding: .utf8)
    let archive = directory.appendingPathComponent("books.tar.gz")
    let tar = Process()
    tar.executableURL = URL(fileURLWithPath: "/bin/tar")
    tar.arguments = ["czf", archive.path, "-C", texts.path, "a.txt", "b.txt"]
    try tar.run()
    tar.waitUntilExit()
    #expect(tar.terminationStatus == 0)
    try checkAgainstForwardPass(
      paths: [archive.path], corpusOptions: CorpusOptions(format: .text(.line), policy: .fail),
      options: ExtractionOptions(hooks: hooks, context: 16, skipFirst: 0, batchTokens: 40, shardTokens: 30))
  }

  @Test func interruptedRunResumesToIdenticalShards() throws {
    let f = try Fixture()
    let options = ExtractionOptions(hooks: hooks, context: 48, batchTokens: 200, shardTokens: 400, maxTokens: 2500)
    let whole = scratch()
    let full = try f.extractor(paths: [pileSample], options: options, output: whole).run()
    #expect(full.shards.count >= 5)

    let parts = scratch()
    let first = try f.extractor(paths: [pileSample], options: options, output: parts)
    first.stopAfterShards = 2
    let partial = try first.run()
    #expect(!partial.complete && partial.shards.count == 2)
    // A half-written shard from the kill is cleaned up on resume.
    let leftover = parts.appendingPathComponent(".shard-00002.safetensors.partial-4242-beef")
    try Data("garbage".utf8).write(to: leftover)
    // A user's own file that merely looks similar is never removed.
    let usersFile = parts.appendingPathComponent("notes.partial")
    try Data("mine".utf8).write(to: usersFile)
    let second = try f.extractor(paths: [pileSample], options: options, output: parts, resume: true)
    second.stopAfterShards = 1
    _ = try second.run()
    let finished = try f.extractor(paths: [pileSample], options: options, output: parts, resume: true).run()

    #expect(finished.shards == full.shards, "shard names, token counts and sha256 must match")
    for shard in full.shards {
      let a = try Data(contentsOf: whole.appendingPathComponent(shard.files[0].path))
      let b = try Data(contentsOf: parts.appendingPathComponent(shard.files[0].path))
      #expect(a == b, "\(shard.name) differs")
    }
    #expect(!FileManager.default.fileExists(atPath: leftover.path))
    #expect(FileManager.default.fileExists(atPath: usersFile.path))
  }

  @Test func resumeRefusesDifferentOptions() throws {
    let f = try Fixture()
    let out = scratch()
    let extractor = try f.extractor(
      paths: [pileSample], options: ExtractionOptions(hooks: hooks, shardTokens: 500, maxTokens: 2000), output: out)
    extractor.stopAfterShards = 1
    _ = try extractor.run()
    #expect(throws: ExtractionError.self) {
      _ = try f.extractor(
        paths: [pileSample], options: ExtractionOptions(hooks: hooks, context: 128, shardTokens: 500, maxTokens: 2000),
        output: out, resume: true)
    }
    #expect(throws: ExtractionError.outputExists(directory: out)) {
      _ = try f.extractor(
        paths: [pileSample], options: ExtractionOptions(hooks: hooks, shardTokens: 500, maxTokens: 2000), output: out)
    }
  }

  /// The library, not the caller, decides the thread count of a resumed run: the recorded one
  /// unless another is asked for explicitly, which is refused.
  @Test func resumeReusesTheRecordedContext() throws {
    let f = try Fixture()
    let out = scratch()
    let options = ExtractionOptions(hooks: hooks, context: 48, batchTokens: 200, shardTokens: 400, maxTokens: 1600)
    let first = try f.extractor(paths: [pileSample], options: options, output: out, context: ComputeContext(threads: 3))
    first.stopAfterShards = 1
    _ = try first.run()
    let resumed = try f.extractor(paths: [pileSample], options: options, output: out, resume: true)
    #expect(resumed.context == ComputeContext(threads: 3))
    #expect(try resumed.run().compute.threads == 3)
    #expect {
      _ = try f.extractor(
        paths: [pileSample], options: options, output: out, resume: true, context: ComputeContext(threads: 2))
    } throws: { error in
      guard case .resumeMismatch(_, let field, _, _) = error as? ExtractionError else { return false }
      return field == .compute
    }
  }

  @Test func npyOutputEqualsSafetensors() throws {
    let f = try Fixture()
    let options = ExtractionOptions(
      hooks: hooks, context: 64, batchTokens: 256, shardTokens: 500, maxTokens: 1200, dtype: .float16)
    let st = scratch()
    _ = try f.extractor(paths: [pileSample], options: options, output: st).run()
    var npyOptions = options
    npyOptions.fileFormat = .npy
    let np = scratch()
    let manifest = try f.extractor(paths: [pileSample], options: npyOptions, output: np).run()
    var fromNPY: [Float] = []
    for shard in manifest.shards {
      let data = try Data(contentsOf: np.appendingPathComponent("\(shard.name)/blocks.1.hook_resid_post.npy"))
      #expect(data.prefix(6) == Data([0x93] + Array("NUMPY".utf8)))
      let headerLength = Int(data[8]) | Int(data[9]) << 8
      #expect((10 + headerLength) % 64 == 0)
      let header = String(decoding: data[10..<(10 + headerLength)], as: UTF8.self)
      #expect(header.contains("'descr': '<f2'") && header.contains("'shape': (\(shard.tokens), 32)"))
      fromNPY += data[(10 + headerLength)...].withUnsafeBytes { raw in
        (0..<(raw.count / 2)).map { floatFromHalfBits(raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) }
      }
    }
    #expect(fromNPY == (try concatenated("blocks.1.hook_resid_post", in: st)))
  }
}

@Suite struct ExtractionBadInputTests {
  let hooks: [HookPoint] = [.residualPost(layer: 1)]

  /// No temporary files and every file the manifest names exists.
  func expectNothingHalfWritten(_ directory: URL) throws {
    let files = (try? FileManager.default.subpathsOfDirectory(atPath: directory.path)) ?? []
    #expect(!files.contains { AtomicFile.isTemporaryFile(($0 as NSString).lastPathComponent) }, "\(files)")
    if let manifest = try? FeatureManifest.load(from: directory) {
      for file in manifest.shards.flatMap(\.files) {
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(file.path).path))
      }
    }
  }

  @Test func corruptZstdFailsNamingTheFile() throws {
    let f = try Fixture()
    let directory = scratch()
    let broken = directory.appendingPathComponent("broken.jsonl.zst")
    let data = try Data(contentsOf: URL(fileURLWithPath: pileSample))
    try data.prefix(data.count / 3).write(to: broken)
    let out = directory.appendingPathComponent("out")
    let extractor = try f.extractor(
      paths: [broken.path], options: ExtractionOptions(hooks: hooks, context: 128, shardTokens: 20_000), output: out)
    do {
      try extractor.run()
      Issue.record("a truncated .zst was read to the end without error")
    } catch let error as CorpusError {
      #expect(String(describing: error).contains("broken.jsonl.zst"), "\(error)")
    }
    try expectNothingHalfWritten(out)
  }

  @Test func invalidUTF8IsSkippedAndCountedOrFails() throws {
    let f = try Fixture()
    let directory = scratch()
    let file = directory.appendingPathComponent("mixed.txt")
    var bytes = Data("A first good line of text.\n".utf8)
    bytes.append(contentsOf: [0x66, 0xFF, 0xFE, 0x0A])
    bytes.append(Data("Another good line follows it.\n".utf8))
    try bytes.write(to: file)
    let options = ExtractionOptions(hooks: hooks, context: 64, skipFirst: 0, shardTokens: 1000)
    let skipping = try f.extractor(
      paths: [file.path], options: options, output: directory.appendingPathComponent("skip"),
      corpusOptions: CorpusOptions(policy: .skip)
    ).run()
    #expect(skipping.counters.badInputSkipped == 1)
    #expect(skipping.counters.documentsRead == 2)
    let failing = try f.extractor(
      paths: [file.path], options: options, output: directory.appendingPathComponent("fail"),
      corpusOptions: CorpusOptions(policy: .fail))
    do {
      try failing.run()
      Issue.record("invalid UTF-8 passed under the fail policy")
    } catch let error as CorpusError {
      #expect(String(describing: error).contains("mixed.txt:2"), "\(error)")
    }
    try expectNothingHalfWritten(directory.appendingPathComponent("fail"))
  }

  @Test func emptyCorpusLeavesNothing() throws {
    let f = try Fixture()
    let directory = scratch()
    let empty = directory.appendingPathComponent("empty.txt")
    try Data("\n\n".utf8).write(to: empty)
    let out = directory.appendingPathComponent("out")
    #expect(throws: (any Error).self) {
      try f.extractor(paths: [empty.path], options: ExtractionOptions(hooks: hooks, shardTokens: 100), output: out)
        .run()
    }
    #expect(!FileManager.default.fileExists(atPath: FeatureManifest.url(in: out).path))
  }

  @Test func hookOutsideTheModelIsRejected() throws {
    let f = try Fixture()
    #expect(throws: HookError.layerOutOfRange(name: "blocks.7.hook_resid_post", layer: 7, layerCount: 2)) {
      _ = try f.extractor(
        paths: [pileSample], options: ExtractionOptions(hooks: [.residualPost(layer: 7)], shardTokens: 10),
        output: scratch())
    }
  }

  @Test func unwritableOutputIsReported() throws {
    let f = try Fixture()
    let blocker = scratch().appendingPathComponent("a-file")
    try Data("x".utf8).write(to: blocker)
    let out = blocker.appendingPathComponent("features")
    let extractor = try f.extractor(
      paths: [pileSample], options: ExtractionOptions(hooks: hooks, shardTokens: 100, maxTokens: 10), output: out)
    do {
      try extractor.run()
      Issue.record("writing under a regular file succeeded")
    } catch let error as FeatureSetError {
      guard case .writeFailed(let file, _) = error else {
        Issue.record("unexpected \(error)")
        return
      }
      #expect(file == out)
    }
  }
}
