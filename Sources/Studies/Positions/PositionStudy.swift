import Corpora
import Extraction
import FeatureSets
import Foundation
import HookPoints
import Models
import TensorCore
import Tokenizers

/// Settings of a position study; recorded in `positions.json` with every default resolved.
public struct PositionStudyOptions: Codable, Sendable, Equatable {
  /// Position groups, increasing and disjoint (`nil`: ``PositionGroup/powersOfTwo(context:)``).
  public var groups: [PositionGroup]?
  /// Tokens of each document's first window, BOS included; later tokens are not read.
  public var context = 64
  /// BOS at the start of each window, as `bae extract` decides it.
  public var bos: BOSPolicy = .auto
  /// Documents used (each contributes its first window).
  public var documents = 256
  /// Documents whose first window is shorter are passed over (`nil`: the last studied position
  /// + 1, so every group reads the same documents; 1 lets a short document add its states to
  /// the groups it reaches, and later groups then hold fewer, longer documents).
  public var minTokens: Int?
  /// States per group at most; a group with more keeps a seeded sample.
  public var rowsPerGroup = 256
  /// Seed of that sample.
  public var seed: UInt64 = 0
  /// Which state of each layer is read.
  public var site: HookSite = .residualPost
  /// Layers to study (`nil`: all).
  public var layers: [Int]?
  /// How BAEs are fitted (one per layer and group).
  public var fit = EntropyFitSettings.smallSets
  /// Seeds of the fitted BAEs; the spread over them is reported.
  public var fitSeeds: [UInt64] = [0]
  /// Tokens per forward batch.
  public var batchTokens = 4096

  public init() {}

  enum CodingKeys: String, CodingKey {
    case groups = "positions", context, bos, documents, minTokens = "min_tokens", rowsPerGroup = "rows_per_group"
    case seed, site = "hook_site", layers, fit, fitSeeds = "fit_seeds", batchTokens = "batch_tokens"
  }

  /// The groups studied.
  public var resolvedGroups: [PositionGroup] { groups ?? PositionGroup.powersOfTwo(context: max(1, context)) }

  /// The shortest first window a document may have to be used.
  public var resolvedMinTokens: Int { minTokens ?? (resolvedGroups.last.map { $0.last + 1 } ?? 1) }

  /// The options with the groups and the minimum length written out.
  public var resolved: PositionStudyOptions {
    var o = self
    o.groups = resolvedGroups
    o.minTokens = resolvedMinTokens
    return o
  }

  /// Checks the values (layers are checked against the model by ``PositionStudy/layers()``).
  ///
  /// - Throws: ``PositionStudyError`` naming the option.
  public func validate() throws(PositionStudyError) {
    func require(_ ok: Bool, _ key: String, _ reason: String) throws(PositionStudyError) {
      if !ok { throw .invalidOption(key: key, reason: reason) }
    }
    try require(context >= 1, "context", "must be at least 1, got \(context)")
    try require(documents >= 1, "documents", "must be at least 1, got \(documents)")
    try require(rowsPerGroup >= 2, "rows_per_group", "must be at least 2 (a BAE needs two states), got \(rowsPerGroup)")
    try require(batchTokens >= context, "batch_tokens", "(\(batchTokens)) must be at least the context (\(context))")
    try require(!fitSeeds.isEmpty, "fit_seeds", "must hold at least one seed")
    let groups = resolvedGroups
    guard !groups.isEmpty else { throw .noGroups }
    for (a, b) in zip(groups, groups.dropFirst()) where b.first <= a.last { throw .groupsOverlap(a, b) }
    if let beyond = groups.first(where: { $0.last >= context }) { throw .groupBeyondContext(beyond, context: context) }
    let minTokens = resolvedMinTokens
    try require(
      (1...context).contains(minTokens), "min_tokens", "must be in 1…\(context) (the context), got \(minTokens)")
    do {
      try fit.validate()
    } catch {
      throw .invalidOption(key: "fit", reason: "\(error)")
    }
  }
}

/// Each used document's first window, read from a corpus.
public struct PositionDocuments: Sendable, Equatable {
  /// Token ids of each used document's first window (position p is its p-th token).
  public var windows: [[Int32]]
  /// Documents read, used or passed over as too short.
  public var documentsRead: Int
  /// Seconds spent reading and tokenizing them.
  public var seconds: Double

  public init(windows: [[Int32]], documentsRead: Int, seconds: Double = 0) {
    self.windows = windows
    self.documentsRead = documentsRead
    self.seconds = seconds
  }
}

/// What `positions.json` holds.
public struct PositionStudyResult: Codable, Sendable, Equatable {
  public var model: String
  /// The corpus paths as given, and how they were read.
  public var corpus: [String]
  public var corpusOptions: CorpusOptions
  /// The options, every default resolved.
  public var options: PositionStudyOptions
  public var documentsRead: Int
  public var documentsUsed: Int
  /// One cell per (layer, group); `group` is the group's first position.
  public var trace: EntropyTrace
  /// Seconds spent reading the corpus, running the model and fitting BAEs.
  public var readSeconds: Double
  public var forwardSeconds: Double
  public var fitSeconds: Double

  enum CodingKeys: String, CodingKey {
    case model, corpus, corpusOptions = "corpus_options", options, documentsRead = "documents_read"
    case documentsUsed = "documents_used", trace, readSeconds = "read_seconds", forwardSeconds = "forward_seconds"
    case fitSeconds = "fit_seconds"
  }

  /// The groups studied.
  public var groups: [PositionGroup] { options.resolvedGroups }
}

/// Progress of a position study.
public enum PositionProgress: Sendable {
  /// Documents kept so far of those wanted.
  case reading(documents: Int, of: Int)
  /// Documents run through the model.
  case forward(documents: Int, of: Int)
  /// BAE fits done (layers × groups × seeds in all).
  case fitting(done: Int, of: Int)
}

/// How the entropy of hidden states changes with token position (the paper's §4.2): each used
/// document's first window runs through the model; the states at each position group, at every
/// studied layer, form one set; one BAE per (layer, group) estimates its entropy.
///
/// Only a document's first window is read, so position p is the p-th token of a document (with
/// BOS at 0 where the tokenizer or the policy puts one there), never a token in the middle of a
/// document that a window happened to start at.
public struct PositionStudy {
  public let model: LlamaModel
  public let modelName: String
  public let tokenizer: any Tokenizer
  public let options: PositionStudyOptions

  public init(model: LlamaModel, modelName: String, tokenizer: any Tokenizer, options: PositionStudyOptions) {
    self.model = model
    self.modelName = modelName
    self.tokenizer = tokenizer
    self.options = options
  }

  /// The studied layers and the points read there, checked against the model.
  public func points() throws(PositionStudyError) -> [(layer: Int, point: HookPoint)] {
    do {
      return try studyPoints(layers: options.layers, site: options.site, layerCount: model.configuration.layerCount)
    } catch {
      throw .layers(error)
    }
  }

  /// Reads documents until ``PositionStudyOptions/documents`` of them have a first window of at
  /// least ``PositionStudyOptions/resolvedMinTokens`` tokens, or the corpus ends.
  ///
  /// - Throws: ``PositionStudyError`` (invalid options, no document long enough), corpus and
  ///   tokenizer errors.
  public func documents(from corpus: inout some CorpusReader, progress: (PositionProgress) -> Void = { _ in })
    throws -> PositionDocuments
  {
    try options.validate()
    let start = Date()
    let cutter = try WindowCutter(tokenizer: tokenizer, context: options.context, policy: options.bos)
    let minTokens = options.resolvedMinTokens
    var windows: [[Int32]] = []
    var read = 0
    while windows.count < options.documents, let document = try corpus.next() {
      read += 1
      // Only the first window is used: the document is encoded only as far as it needs.
      var stream = cutter.windowStream(of: document.text, tokenizer: tokenizer)
      guard let window = try stream.nextWindow(), window.count >= minTokens else { continue }
      windows.append(window)
      progress(.reading(documents: windows.count, of: options.documents))
    }
    guard !windows.isEmpty else { throw PositionStudyError.noDocuments(minTokens: minTokens, documentsRead: read) }
    return PositionDocuments(windows: windows, documentsRead: read, seconds: Date().timeIntervalSince(start))
  }

  /// Runs the study on `documents` (from ``documents(from:progress:)``).
  ///
  /// - Parameters:
  ///   - corpus: the corpus paths and options, recorded in the result.
  /// - Throws: ``PositionStudyError`` (a group with fewer than 2 states among them), ``ForwardError``,
  ///   `AutoencoderError`.
  public func run(
    documents: PositionDocuments, corpus: [String] = [], corpusOptions: CorpusOptions = CorpusOptions(),
    context: ComputeContext, progress: @Sendable (PositionProgress) -> Void = { _ in }
  ) throws -> PositionStudyResult {
    try options.validate()
    let studied = try points()
    let (layers, points) = (studied.map(\.layer), studied.map(\.point))
    let groups = options.resolvedGroups
    let rows = PositionStates.plan(
      windowLengths: documents.windows.map(\.count), groups: groups, rowsPerGroup: options.rowsPerGroup,
      seed: options.seed)
    for (group, groupRows) in zip(groups, rows) where groupRows.count < 2 {
      throw PositionStudyError.tooFewRows(group, rows: groupRows.count, documents: documents.windows.count)
    }

    let forwardStart = Date()
    let states = try PositionStates(
      model: model, windows: documents.windows, rows: rows, points: points, batchTokens: options.batchTokens,
      context: context
    ) { progress(.forward(documents: $0, of: documents.windows.count)) }
    let forwardSeconds = Date().timeIntervalSince(forwardStart)

    let fitStart = Date()
    var jobs: [EntropyJob] = []
    for (l, point) in zip(layers, points) {
      for (g, group) in groups.enumerated() {
        jobs.append(EntropyJob(layer: l, hook: point.name, group: group.first, rows: states.states[point]![g]))
      }
    }
    let spreads = try EntropyFitBatch.run(
      jobs, settings: options.fit, seeds: options.fitSeeds, workers: context.threads
    ) { progress(.fitting(done: $0, of: $1)) }
    let cells = zip(jobs, spreads).map { job, spread in
      EntropyTraceCell(layer: job.layer, hook: job.hook, group: job.group, rows: job.rows.rows, entropy: spread[0])
    }
    return PositionStudyResult(
      model: modelName, corpus: corpus, corpusOptions: corpusOptions, options: options.resolved,
      documentsRead: documents.documentsRead, documentsUsed: documents.windows.count,
      trace: EntropyTrace(cells: cells), readSeconds: documents.seconds, forwardSeconds: forwardSeconds,
      fitSeconds: Date().timeIntervalSince(fitStart))
  }
}
