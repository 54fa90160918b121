import Checkpoints
import Corpora
import FeatureSets
import Foundation
import HookPoints
import Models
import TensorCore
import Tokenizers

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
  ///   - part: extract only this part's documents (``ExtractionPart``), keeping its share of
  ///     `maxTokens`; `nil` extracts every document.
  /// - Throws: ``ExtractionError``, `FeatureSetError`, `HookError`.
  public init(
    model: LlamaModel, modelPath: URL, tokenizer: any Tokenizer, corpusPaths: [String], corpusOptions: CorpusOptions,
    options: ExtractionOptions, output: URL?, resume: Bool, context: ComputeContext? = nil,
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
    var fresh = FeatureManifest(
      model: .init(
        path: modelPath.path, layerCount: c.layerCount, hiddenSize: c.hiddenSize, vocabularySize: c.vocabularySize),
      hooks: hooks, options: options,
      corpus: .init(paths: corpusPaths, files: try CorpusPaths.expand(corpusPaths), options: corpusOptions),
      compute: context)
    fresh.blasKernels = BLASKernels.coreName
    fresh.part = part?.record
    if let recorded, let output {
      try Self.checkSameRun(recorded, fresh, directory: output)
      manifest = recorded
    } else {
      manifest = fresh
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
  /// - Parameter progress: called after every batch (on the calling thread).
  /// - Returns: the final manifest.
  /// - Throws: `CorpusError`, `TokenizerError`, ``ExtractionError``, `ForwardError`.
  @discardableResult
  public func run(progress: (ExtractionProgress) -> Void = { _ in }) throws -> FeatureManifest {
    guard let output else { preconditionFailure("run() needs an output directory; use collect() in memory") }
    if manifest.complete { return manifest }
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

    func flush() throws {
      guard runner.collector.buffer.rows > 0 else { return }
      let record = try writer.write(runner.collector.buffer, index: manifest.shards.count)
      manifest.shards.append(record)
      manifest.totalTokens += record.tokens
      manifest.resume = runner.cursor.resumePoint
      manifest.lastSource = runner.cursor.lastSource
      updateCounters()
      try manifest.write(to: output)
      runner.collector.buffer.removeAll()
      buffered = 0
      shardsThisRun += 1
    }

    while manifest.totalTokens + buffered < limit {
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
      let (windows, _) = try cursor.nextBatch(using: self)
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
    // Temporary files of a killed write, only where bae writes: the set's folder and its npy
    // shard folders. Nothing else under the output directory is touched.
    var folders = [output]
    let entries = (try? fm.contentsOfDirectory(atPath: output.path)) ?? []
    folders += entries.filter { $0.hasPrefix("shard-") }.map { output.appendingPathComponent($0) }
    for folder in folders {
      for name in (try? fm.contentsOfDirectory(atPath: folder.path)) ?? [] where AtomicFile.isTemporaryFile(name) {
        try? fm.removeItem(at: folder.appendingPathComponent(name))
      }
    }
  }

  /// The windows of one document, cut as the options say.
  func windows(of text: String) throws -> [[Int32]] {
    cutter.windows(of: try tokenizer.encodeIDs(text))
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
    let (batch, ordinals) = try cursor.nextBatch(using: extractor)
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
  var windows: [[Int32]] = []
  var index = 0
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
    while index >= windows.count {
      let position = corpus.position
      guard let document = try corpus.next() else { return nil }
      let current = ordinal
      ordinal += 1
      let skip = skipWindows
      skipWindows = 0
      guard extractor.keeps(ordinal: current), extractor.inPart(document) else { continue }
      let cut = try extractor.windows(of: document.text)
      guard skip < cut.count else { continue }
      windows = cut
      index = skip
      documentPosition = position
      documentOrdinal = current
      documentsUsed += 1
      lastSource = "\(document.source) (byte \(document.source.byteOffset))"
    }
    return (windows[index], documentOrdinal)
  }

  mutating func advance() { index += 1 }

  /// The next batch: whole windows packed up to the extractor's batch budget (at least one
  /// window), with the ordinals of their documents; empty at the end of the corpus.
  mutating func nextBatch(using extractor: Extractor) throws -> (windows: [[Int32]], ordinals: [Int64]) {
    var batch: [[Int32]] = []
    var ordinals: [Int64] = []
    var tokens = 0
    while let window = try peek(using: extractor) {
      if !batch.isEmpty && tokens + window.ids.count > extractor.options.batchTokens { break }
      batch.append(window.ids)
      ordinals.append(window.ordinal)
      tokens += window.ids.count
      advance()
    }
    return (batch, ordinals)
  }

  /// Where the next unconsumed window is.
  var resumePoint: FeatureManifest.ResumePoint {
    if index < windows.count {
      return .init(position: documentPosition, window: index, documentOrdinal: documentOrdinal)
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
