import Checkpoints
import Corpora
import FeatureSets
import Foundation
import HookPoints
import Models
import RunControl
import TensorCore
import Tokenizers

#if canImport(Glibc)
  import Glibc
#endif

/// Progress of a running extraction, reported after every batch.
public struct ExtractionProgress: Sendable {
  /// Rows written or buffered so far (including earlier runs of a resumed extraction).
  public var tokens: Int
  /// Rows this run.
  public var tokensThisRun: Int
  /// `maxTokens`, if set.
  public var target: Int?
  /// Documents read so far (all runs).
  public var documents: Int64
  /// Shards written so far.
  public var shards: Int
  /// Seconds since this run started.
  public var seconds: Double
}

/// Streams a corpus through a model and writes per-token hook activations to shards.
///
/// Memory is bounded by the model, one batch and one shard, whatever the corpus size: the
/// corpus is read document by document, documents are tokenized and cut into windows
/// (``contextWindows(of:context:bos:stripLeadingToken:)``), windows are packed into batches of
/// ``ExtractionOptions/batchTokens``, and the kept rows of each batch are appended to the shard
/// buffer, which is written (atomically) once it holds ``ExtractionOptions/shardTokens`` rows.
///
/// Shards end on batch boundaries and the manifest records the window where the next shard
/// starts, so a killed run resumed with `resume: true` rebuilds the same batches and writes
/// byte-identical shards.
public final class Extractor {
  let model: LlamaModel
  let tokenizer: any Tokenizer
  let points: [HookPoint]
  let options: ExtractionOptions
  let corpusOptions: CorpusOptions
  let output: URL?
  /// The part of a sharded extraction this run extracts (`nil`: every document).
  public let part: ExtractionPart?
  /// Corpus files relative to their roots, for assigning documents to parts (empty unsharded).
  let relativeNames: [String]
  /// Threads (and precision) of this run: the recorded ones when resuming.
  public let context: ComputeContext
  var manifest: FeatureManifest
  let cutter: WindowCutter
  /// For tests: stop (as if killed) after writing this many shards in this run.
  public var stopAfterShards: Int?
  /// The length (Unicode scalars) of the parts documents are encoded in: bounds the
  /// tokenizer's memory whatever a document's length, without changing any id (see
  /// ``Tokenizers/Tokenizer/encodeIDs(_:from:length:)``). Small values are for tests.
  public var tokenizerPartLength = WindowCutter.defaultPartLength

  /// Prepares an extraction (validates options, checks or loads the manifest).
  ///
  /// - Parameters:
  ///   - model: the loaded model; `modelPath` is recorded in the manifest.
  ///   - tokenizer: the model's tokenizer.
  ///   - corpusPaths: files, directories or globs.
  ///   - corpusOptions: how to read them (recorded; must match on resume).
  ///   - output: the feature-set directory (created if needed), or `nil` for an in-memory
  ///     extraction read with ``collect(progress:)`` (no files at all). With `part`, the
  ///     extraction's directory: the part writes `output/part-IIIII/` (``ExtractionPart``).
  ///   - resume: continue the run recorded in `output/manifest.json`.
  ///   - context: threads for the forward passes. `nil` uses every core for a new run and the
  ///     recorded context when resuming (float results depend on the thread split, so a resumed
  ///     run must use the same one to write identical shards; a different explicit context is
  ///     refused).
  ///   - repair: when resuming, remove the first damaged shard and every shard after it (their
  ///     files, as the manifest names them) and continue from where it started, which writes
  ///     the same rows again. Without it a damaged shard stops the resume.
  ///   - part: extract only this part's documents (``ExtractionPart``), keeping its share of
  ///     `maxTokens`; `nil` extracts every document.
  ///
  /// Resuming checks every recorded shard against its manifest record (existence, size and
  /// SHA-256), so a set is never continued on top of a damaged shard.
  ///
  /// - Throws: ``ExtractionError`` (``ExtractionError/damagedShard(directory:shard:problem:repairable:)``,
  ///   ``ExtractionError/batchTooLarge(estimatedBytes:availableBytes:bytesPerToken:option:)``, …),
  ///   `FeatureSetError`, `HookError`, `CorpusError` (paths that match nothing).
  public init(
    model: LlamaModel, modelPath: URL, tokenizer: any Tokenizer, corpusPaths: [String], corpusOptions: CorpusOptions,
    options: ExtractionOptions, output: URL?, resume: Bool, context: ComputeContext? = nil, repair: Bool = false,
    part: ExtractionPart? = nil
  ) throws {
    let output = part.flatMap { part in output.map { part.directory(in: $0) } } ?? output
    let c = model.configuration
    do {
      try options.validate()
    } catch {
      throw ExtractionError.invalidOption(error)
    }
    for point in options.hooks { try point.validate(layerCount: c.layerCount) }
    self.model = model
    self.tokenizer = tokenizer
    self.points = options.hooks
    self.options = options
    self.corpusOptions = corpusOptions
    self.output = output
    self.part = part
    relativeNames = part == nil ? [] : try CorpusRelativeNames.names(for: corpusPaths)

    cutter = try WindowCutter(tokenizer: tokenizer, context: options.context, policy: options.bos)

    let hooks = points.map { HookRecord(point: $0, width: $0 == .logits ? c.vocabularySize : c.hiddenSize) }
    var recorded: FeatureManifest?
    if let output {
      let exists = FileManager.default.fileExists(atPath: FeatureManifest.url(in: output).path)
      if resume {
        guard exists else { throw ExtractionError.nothingToResume(directory: output) }
        recorded = try FeatureManifest.load(from: output)
      } else {
        guard !exists else { throw ExtractionError.outputExists(directory: output) }
      }
    }
    let context = context ?? recorded?.compute ?? ComputeContext()
    do {
      try context.validate()
    } catch {
      throw ExtractionError.invalidContext(error)
    }
    self.context = context
    try ExtractionMemory(configuration: c, options: options, hooks: hooks, threads: context.threads).check()
    let scan = try CorpusPaths.scan(corpusPaths)
    skippedCorpusPaths = scan.skipped
    var fresh = FeatureManifest(
      model: .init(
        path: modelPath.path, layerCount: c.layerCount, hiddenSize: c.hiddenSize, vocabularySize: c.vocabularySize),
      hooks: hooks, options: options,
      corpus: .init(paths: corpusPaths, files: scan.files, options: corpusOptions),
      compute: context)
    fresh.blasKernels = BLASKernels.coreName
    fresh.part = part?.record
    if var recorded, let output {
      try Self.checkSameRun(recorded, fresh, directory: output)
      if let (index, problem) = recorded.firstDamagedShard(in: output) {
        let shard = recorded.shards[index]
        let start = index == 0 ? FeatureManifest.ResumePoint.start : shard.start
        let counters = index == 0 ? FeatureManifest.Counters() : shard.countersAtStart
        guard repair, let start, let counters else {
          throw ExtractionError.damagedShard(
            directory: output, shard: shard.name, problem: problem, repairable: start != nil && counters != nil)
        }
        try Self.truncate(&recorded, at: index, start: start, counters: counters, directory: output)
        repairedFromShard = shard.name
      }
      manifest = recorded
    } else {
      manifest = fresh
    }
  }

  /// The corpus directory entries left out (FIFOs, sockets, devices, links to what was already
  /// read); a front end warns about them.
  public let skippedCorpusPaths: [SkippedCorpusPath]
  /// The shard a repair started from (``init(model:modelPath:tokenizer:corpusPaths:corpusOptions:options:output:resume:context:repair:)``), if one was damaged.
  public private(set) var repairedFromShard: String?

  /// Drops shard `index` and every later one (their files, as the manifest names them, then
  /// their records) and rewinds `manifest` to where shard `index` started.
  static func truncate(
    _ manifest: inout FeatureManifest, at index: Int, start: FeatureManifest.ResumePoint,
    counters: FeatureManifest.Counters, directory: URL
  ) throws {
    let dropped = manifest.shards[index...]
    manifest.shards.removeSubrange(index...)
    manifest.totalTokens = manifest.shards.reduce(0) { $0 + $1.tokens }
    manifest.resume = start
    manifest.counters = counters
    manifest.complete = false
    manifest.lastSource = nil
    // Write the rewound manifest first: a crash in between leaves stray files, never a manifest
    // that names missing ones.
    try manifest.write(to: directory)
    for shard in dropped {
      for file in shard.files { try? FileManager.default.removeItem(at: directory.appendingPathComponent(file.path)) }
      if manifest.options.fileFormat == .npy {
        // The shard's own folder, if now empty (rmdir leaves a folder with anything in it).
        rmdir(directory.appendingPathComponent(shard.name).path)
      }
    }
  }

  /// Refuses to resume when anything that shapes the output differs.
  static func checkSameRun(_ recorded: FeatureManifest, _ now: FeatureManifest, directory: URL) throws(ExtractionError)
  {
    guard !recorded.isMerged else { throw .resumeMergedSet(directory: directory) }
    func check<T: Equatable>(_ field: ExtractionError.RunField, _ a: T, _ b: T, _ show: (T) -> String)
      throws(ExtractionError)
    {
      if a != b {
        throw .resumeMismatch(directory: directory, field: field, recorded: show(a), requested: show(b))
      }
    }
    try check(.model, recorded.model, now.model) { $0.description }
    try check(.hooks, recorded.hooks.map(\.name), now.hooks.map(\.name)) { $0.joined(separator: ",") }
    try check(.corpusPaths, recorded.corpus.paths, now.corpus.paths) { $0.joined(separator: " ") }
    try check(.corpusFiles, recorded.corpus.files, now.corpus.files) { "\($0.count) files" }
    try check(.corpusOptions, recorded.corpus.options, now.corpus.options) { $0.description }
    try check(.extractionOptions, recorded.options, now.options) { "\($0)" }
    try check(.compute, recorded.compute, now.compute) { $0.description }
    if let kernels = recorded.blasKernels {
      try check(.blasKernels, kernels, now.blasKernels ?? kernels) { $0 }
    }
    try check(.part, recorded.part, now.part) { $0.map { "part \($0)" } ?? "unsharded" }
  }

  /// The rows this run keeps at most: `maxTokens`, or this part's share of it.
  var tokenLimit: Int? { options.maxTokens.map { part?.tokenShare(of: $0) ?? $0 } }

  /// Runs (or continues) the extraction to the end of the corpus or `maxTokens`.
  ///
  /// A failed run leaves the output directory as the last complete shard left it; a directory
  /// this run created and left empty is removed.
  ///
  /// - Parameters:
  ///   - cancellation: checked before every batch; once set, the rows of the shard in progress
  ///     are discarded (no file of it was written), the manifest is left describing the complete
  ///     shards (written if the run had written none yet, so it can be resumed), and
  ///     ``ExtractionError/cancelled(directory:reason:shards:tokens:)`` is thrown.
  ///   - progress: called after every batch (on the calling thread).
  /// - Returns: the final manifest.
  /// - Throws: `CorpusError`, `TokenizerError`, ``ExtractionError``, `ForwardError`.
  @discardableResult
  public func run(cancellation: Cancellation? = nil, progress: (ExtractionProgress) -> Void = { _ in }) throws
    -> FeatureManifest
  {
    guard let output else { preconditionFailure("run() needs an output directory; use collect() in memory") }
    if manifest.complete { return manifest }
    let created = !FileManager.default.fileExists(atPath: output.path)
    do {
      return try run(output: output, cancellation: cancellation, progress: progress)
    } catch {
      // Only an empty directory is removed (rmdir refuses any other), and only one this run made.
      if created { rmdir(output.path) }
      throw error
    }
  }

  private func run(output: URL, cancellation: Cancellation?, progress: (ExtractionProgress) -> Void) throws
    -> FeatureManifest
  {
    try prepareDirectory(output)
    let start = Date()
    let writer = ShardWriter(
      directory: output, hooks: manifest.hooks, dtype: options.dtype, format: options.fileFormat,
      metadata: [
        "generator": "bae extract", "model": manifest.model.path,
        "hooks": manifest.hooks.map(\.name).joined(separator: ","), "dtype": options.dtype.rawValue,
      ])
    var runner = try BatchRunner(extractor: self, resumingAt: manifest.resume)
    // A shard closes after the batch that reaches shardTokens, so it holds at most one batch more.
    runner.collector.buffer.reserve(
      rows: min(options.shardTokens + options.batchTokens, tokenLimit ?? .max),
      widths: manifest.hooks.map(\.width))
    let limit = tokenLimit ?? Int.max
    var buffered = 0
    var shardsThisRun = 0
    var tokensThisRun = 0
    let badAtStart = manifest.counters.badInputSkipped
    let usedAtStart = manifest.counters.documentsUsed
    func updateCounters() {
      manifest.counters.documentsRead = runner.cursor.ordinal
      manifest.counters.documentsUsed = usedAtStart + runner.cursor.documentsUsed
      manifest.counters.badInputSkipped = badAtStart + Int64(runner.cursor.corpus.statistics.skippedTotal)
    }

    // Where the shard in progress starts and the counters before it, recorded with the shard so
    // a damaged shard can be extracted again; the manifest on disk is always `written`.
    var shardStart = manifest.resume
    var countersAtShardStart = manifest.counters
    var written = manifest

    func flush() throws {
      guard runner.collector.buffer.rows > 0 else { return }
      var record = try writer.write(runner.collector.buffer, index: manifest.shards.count)
      record.start = shardStart
      record.countersAtStart = countersAtShardStart
      manifest.shards.append(record)
      manifest.totalTokens += record.tokens
      manifest.resume = runner.cursor.resumePoint
      manifest.lastSource = runner.cursor.lastSource
      updateCounters()
      try manifest.write(to: output)
      written = manifest
      shardStart = manifest.resume
      countersAtShardStart = manifest.counters
      runner.collector.buffer.removeAll()
      buffered = 0
      shardsThisRun += 1
    }

    while manifest.totalTokens + buffered < limit {
      if let reason = cancellation?.reason {
        if !FileManager.default.fileExists(atPath: FeatureManifest.url(in: output).path) {
          try written.write(to: output)
        }
        throw ExtractionError.cancelled(
          directory: output, reason: reason, shards: written.shards.count, tokens: written.totalTokens)
      }
      guard let (kept, windows) = try runner.next(room: limit - manifest.totalTokens - buffered) else { break }
      manifest.counters.windows += Int64(windows)
      buffered += kept
      tokensThisRun += kept
      progress(
        ExtractionProgress(
          tokens: manifest.totalTokens + buffered, tokensThisRun: tokensThisRun, target: tokenLimit,
          documents: runner.cursor.ordinal, shards: manifest.shards.count, seconds: Date().timeIntervalSince(start)))
      if buffered >= options.shardTokens {
        try flush()
        if let stop = stopAfterShards, shardsThisRun >= stop { return manifest }
      }
    }
    try flush()
    // A part may own no document with a window (a small corpus cut into many parts).
    if manifest.totalTokens == 0 && part == nil {
      try? FileManager.default.removeItem(at: FeatureManifest.url(in: output))
      throw ExtractionError.emptyCorpus(paths: manifest.corpus.paths)
    }
    updateCounters()
    manifest.complete = true
    try manifest.write(to: output)
    return manifest
  }

  /// Runs the extraction in memory and returns every kept row, exactly the rows (in the same
  /// order) that ``run(progress:)`` would write to shards: what online training reads, with no
  /// files in between. Memory grows with the rows, so a token limit is required.
  ///
  /// - Returns: per hook `[rows, width]` values (in ``ShardBuffer/hookValues``) and the index arrays.
  /// - Throws: ``ExtractionError/invalidOption(_:)`` without `maxTokens`,
  ///   ``ExtractionError/emptyCorpus(paths:)``, corpus, tokenizer and forward errors.
  public func collect(progress: (ExtractionProgress) -> Void = { _ in }) throws -> ShardBuffer {
    guard let limit = options.maxTokens else {
      throw ExtractionError.invalidOption(.init(option: .maxTokens, reason: "is required to extract in memory"))
    }
    let start = Date()
    var runner = try BatchRunner(extractor: self, resumingAt: .start)
    runner.collector.buffer.reserve(rows: limit, widths: manifest.hooks.map(\.width))
    var rows = 0
    while rows < limit, let (kept, _) = try runner.next(room: limit - rows) {
      rows += kept
      progress(
        ExtractionProgress(
          tokens: rows, tokensThisRun: rows, target: limit, documents: runner.cursor.ordinal, shards: 0,
          seconds: Date().timeIntervalSince(start)))
    }
    guard rows > 0 else { throw ExtractionError.emptyCorpus(paths: manifest.corpus.paths) }
    return runner.collector.buffer
  }

  /// The batches of token windows an in-memory extraction runs, without running the model:
  /// for analyses that run the model themselves over exactly the text `bae extract` reads with
  /// the same options (`bae eval`'s downstream loss).
  ///
  /// Batches are packed as ``run(progress:)`` packs them. They end once the windows hold
  /// `maxTokens` rows at positions `≥ skipFirst` (the rows an extraction keeps): the window that
  /// reaches the limit is cut short after it (a prefix, whose activations are those of the whole
  /// window at the same positions) and no window follows it.
  ///
  /// - Parameter progress: called after every batch with the rows reached.
  /// - Returns: batches of windows (token ids per window).
  /// - Throws: ``ExtractionError/invalidOption(_:)`` without `maxTokens`,
  ///   ``ExtractionError/emptyCorpus(paths:)``, corpus and tokenizer errors.
  public func tokenBatches(progress: (ExtractionProgress) -> Void = { _ in }) throws -> [[[Int32]]] {
    guard let limit = options.maxTokens else {
      throw ExtractionError.invalidOption(.init(option: .maxTokens, reason: "is required to extract in memory"))
    }
    let start = Date()
    let corpus = try Corpus(paths: manifest.corpus.paths, options: corpusOptions, resumingAt: .start)
    var cursor = DocumentCursor(corpus: corpus, ordinal: 0, skipWindows: 0)
    var batches: [[[Int32]]] = []
    var rows = 0
    while rows < limit {
      let (windows, _) = try cursor.nextBatch(using: self, rowLimit: limit - rows)
      if windows.isEmpty { break }
      var batch: [[Int32]] = []
      for window in windows where rows < limit {
        let kept = max(0, window.count - options.skipFirst)
        batch.append(rows + kept > limit ? Array(window.prefix(options.skipFirst + limit - rows)) : window)
        rows = min(limit, rows + kept)
      }
      batches.append(batch)
      progress(
        ExtractionProgress(
          tokens: rows, tokensThisRun: rows, target: limit, documents: cursor.ordinal, shards: 0,
          seconds: Date().timeIntervalSince(start)))
    }
    guard rows > 0 else { throw ExtractionError.emptyCorpus(paths: manifest.corpus.paths) }
    return batches
  }

  /// Creates the output directory, proves it writable, and removes temporary files of a killed run.
  private func prepareDirectory(_ output: URL) throws(FeatureSetError) {
    let fm = FileManager.default
    do {
      try fm.createDirectory(at: output, withIntermediateDirectories: true)
    } catch {
      throw .writeFailed(file: output, reason: error.localizedDescription)
    }
    guard fm.isWritableFile(atPath: output.path) else {
      throw .writeFailed(file: output, reason: "directory is not writable")
    }
    // Temporary files of a killed write, only those bae names: `.manifest.json.partial-…` and
    // `.shard-NNNNN.safetensors.partial-…` in the set's folder, `.<array>.npy.partial-…` in its
    // npy shard folders `shard-NNNNN/`. Nothing else under the output directory is touched.
    let entries = (try? fm.contentsOfDirectory(atPath: output.path)) ?? []
    for name in entries where Self.isOwnTemporaryFile(name) {
      try? fm.removeItem(at: output.appendingPathComponent(name))
    }
    for folder in entries where Self.isShardName(folder) {
      let url = output.appendingPathComponent(folder)
      for name in (try? fm.contentsOfDirectory(atPath: url.path)) ?? []
      where AtomicFile.isTemporaryFile(name) && name.contains(".npy.partial-") {
        try? fm.removeItem(at: url.appendingPathComponent(name))
      }
    }
  }

  /// `shard-` and five or more digits: the names ``ShardWriter`` gives.
  static func isShardName(_ name: String) -> Bool {
    guard name.hasPrefix("shard-") else { return false }
    let digits = name.dropFirst(6)
    return digits.count >= 5 && digits.allSatisfy(\.isASCII) && digits.allSatisfy(\.isNumber)
  }

  /// A temporary file of the manifest or of a safetensors shard (``AtomicFile``'s naming).
  static func isOwnTemporaryFile(_ name: String) -> Bool {
    guard AtomicFile.isTemporaryFile(name), let marker = name.range(of: ".partial-") else { return false }
    let target = String(name[name.index(after: name.startIndex)..<marker.lowerBound])
    if target == "manifest.json" { return true }
    return target.hasSuffix(".safetensors") && isShardName(String(target.dropLast(".safetensors".count)))
  }

  /// The windows of one document, cut as the options say, encoded part by part as they are
  /// asked for (``tokenizerPartLength``).
  func windowStream(of text: String) -> WindowStream {
    cutter.windowStream(of: text, tokenizer: tokenizer, partLength: tokenizerPartLength)
  }

  func keeps(ordinal: Int64) -> Bool { keepsDocument(ordinal: ordinal, rate: options.sampleRate, seed: options.seed) }

  /// Whether `document` belongs to this run's part (always, unsharded).
  func inPart(_ document: Document) -> Bool { part?.contains(document, relativeNames: relativeNames) ?? true }
}

/// Packs windows into batches, runs them through the model and appends the kept rows to the
/// collector's buffer: the one batch loop of shard extraction and in-memory collection.
struct BatchRunner {
  let extractor: Extractor
  var cursor: DocumentCursor
  var collector: RowCollector
  let state: LlamaRunState

  init(extractor: Extractor, resumingAt resume: FeatureManifest.ResumePoint) throws {
    self.extractor = extractor
    let corpus = try Corpus(
      paths: extractor.manifest.corpus.paths, options: extractor.corpusOptions, resumingAt: resume.position)
    cursor = DocumentCursor(corpus: corpus, ordinal: resume.documentOrdinal, skipWindows: resume.window)
    collector = RowCollector(points: extractor.points, buffer: ShardBuffer(hookCount: extractor.points.count))
    state = LlamaRunState(configuration: extractor.model.configuration)
  }

  /// Runs the next batch, keeping at most `room` rows.
  ///
  /// - Returns: rows kept and windows run, or `nil` at the end of the corpus.
  mutating func next(room: Int) throws -> (kept: Int, windows: Int)? {
    let options = extractor.options
    let (batch, ordinals) = try cursor.nextBatch(using: extractor, rowLimit: room)
    if batch.isEmpty { return nil }

    // Rows to keep: positions from skipFirst on, up to the token limit.
    var keep: [(row: Int, window: Int, position: Int)] = []
    var room = room
    var offset = 0
    for (w, ids) in batch.enumerated() {
      for p in options.skipFirst..<max(options.skipFirst, ids.count) where room > 0 {
        keep.append((offset + p, w, p))
        room -= 1
      }
      offset += ids.count
    }
    collector.select(keep.map(\.row))
    try extractor.model.forward(batch: batch, state: state, hooks: &collector, context: extractor.context)
    for k in keep {
      collector.buffer.tokenIDs.append(batch[k.window][k.position])
      collector.buffer.documentIndex.append(ordinals[k.window])
      collector.buffer.positions.append(Int32(k.position))
    }
    return (keep.count, batch.count)
  }
}

/// Walks the corpus window by window, remembering where the current window came from.
struct DocumentCursor {
  let corpus: Corpus
  /// Ordinal of the next document to read.
  var ordinal: Int64
  var skipWindows: Int
  /// The rest of the current document's windows.
  var stream: WindowStream?
  /// The current document's next window (peeked, not consumed), and its index in the document.
  var window: [Int32]?
  var windowIndex = 0
  var documentPosition = CorpusPosition.start
  var documentOrdinal: Int64 = 0
  var documentsUsed: Int64 = 0
  var lastSource: String?

  init(corpus: Corpus, ordinal: Int64, skipWindows: Int) {
    self.corpus = corpus
    self.ordinal = ordinal
    self.skipWindows = skipWindows
  }

  /// The next window without consuming it, reading documents as needed; `nil` at the end.
  mutating func peek(using extractor: Extractor) throws -> (ids: [Int32], ordinal: Int64)? {
    while window == nil {
      let position = corpus.position
      guard let document = try corpus.next() else { return nil }
      let current = ordinal
      ordinal += 1
      let skip = skipWindows
      skipWindows = 0
      guard extractor.keeps(ordinal: current), extractor.inPart(document) else { continue }
      var windows = extractor.windowStream(of: document.text)
      var first = try windows.nextWindow()
      for _ in 0..<skip where first != nil { first = try windows.nextWindow() }
      guard let first else { continue }
      stream = windows
      window = first
      windowIndex = skip
      documentPosition = position
      documentOrdinal = current
      lastSource = "\(document.source) (byte \(document.source.byteOffset))"
    }
    return (window!, documentOrdinal)
  }

  /// Consumes the peeked window and encodes the document as far as its next window.
  ///
  /// A document counts as used when its first window is consumed: a run resumed inside a
  /// document (or at a document peeked but not consumed before the shard closed) counts it once.
  mutating func advance() throws {
    if windowIndex == 0 { documentsUsed += 1 }
    window = try stream?.nextWindow()
    windowIndex += 1
    if window == nil { stream = nil }
  }

  /// The next batch: whole windows packed up to the extractor's batch budget (at least one
  /// window), with the ordinals of their documents; empty at the end of the corpus.
  ///
  /// - Parameter rowLimit: no window is added once the batch holds this many kept rows
  ///   (positions from `skipFirst` on): the last batch of a token-limited run stops where the
  ///   limit is reached instead of filling the budget with windows nobody keeps.
  mutating func nextBatch(using extractor: Extractor, rowLimit: Int = .max) throws -> (
    windows: [[Int32]], ordinals: [Int64]
  ) {
    var batch: [[Int32]] = []
    var ordinals: [Int64] = []
    var tokens = 0
    var rows = 0
    while rows < rowLimit, let window = try peek(using: extractor) {
      if !batch.isEmpty && tokens + window.ids.count > extractor.options.batchTokens { break }
      batch.append(window.ids)
      ordinals.append(window.ordinal)
      tokens += window.ids.count
      rows += max(0, window.ids.count - extractor.options.skipFirst)
      try advance()
    }
    return (batch, ordinals)
  }

  /// Where the next unconsumed window is.
  var resumePoint: FeatureManifest.ResumePoint {
    if window != nil {
      return .init(position: documentPosition, window: windowIndex, documentOrdinal: documentOrdinal)
    }
    return .init(position: corpus.position, window: 0, documentOrdinal: ordinal)
  }
}

/// Copies the selected rows of every requested hook into the shard buffer.
struct RowCollector: ForwardHook {
  let points: Set<HookPoint>
  let order: [HookPoint: Int]
  var buffer: ShardBuffer
  var rows: [Int] = []

  init(points: [HookPoint], buffer: ShardBuffer) {
    self.points = Set(points)
    self.order = Dictionary(uniqueKeysWithValues: points.enumerated().map { ($1, $0) })
    self.buffer = buffer
  }

  mutating func select(_ rows: [Int]) { self.rows = rows }

  mutating func visit(_ point: HookPoint, _ activations: ActivationView) throws {
    guard let slot = order[point] else { return }
    for r in rows {
      buffer.hookValues[slot].append(contentsOf: activations.row(r))
    }
  }
}
