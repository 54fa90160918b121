import Autoencoders
import Foundation
import HookPoints
import JSONSupport
import Models
import TensorCore
import Tokenizers

/// How an ICL study estimates the entropy of each (layer, k) set of last-token states.
public enum ICLEstimator: String, Codable, Sendable, CaseIterable {
  /// One BAE fitted per (layer, k) set, as the reference does.
  case perSet = "per-set"
  /// One BAE per layer fitted on the states of all k pooled, then applied to each k's set: every
  /// k is measured with the same codes.
  case pooled
  /// BAEs the user trained, one per layer.
  case given
}

/// Settings of an in-context-learning entropy study; recorded in `trace.json`.
public struct ICLStudyOptions: Codable, Sendable, Equatable {
  /// Demonstration counts.
  public var ks: [Int] = [0, 1, 2, 4, 8]
  /// Prompts per k (the reference: 64).
  public var promptsPerK = 64
  /// Seed of the demonstrations and queries (the reference: 42).
  public var seed: UInt64 = 42
  /// Which state of each layer is read.
  public var site: HookSite = .residualPost
  /// Layers to study (`nil`: all).
  public var layers: [Int]?
  public var estimator: ICLEstimator = .perSet
  /// How BAEs are fitted (per-set and pooled).
  public var fit = EntropyFitSettings.smallSets
  /// Seeds of the fitted BAEs; the spread over them is reported.
  public var fitSeeds: [UInt64] = [0]
  /// Tokens per forward batch.
  public var batchTokens = 4096

  public init() {}

  enum CodingKeys: String, CodingKey {
    case ks = "k", promptsPerK = "prompts_per_k", seed, site = "hook_site", layers, estimator, fit
    case fitSeeds = "fit_seeds", batchTokens = "batch_tokens"
  }
}

/// The model's label accuracy at one k, from the logits of each label word's first token at the
/// prompt's last token (the prediction is the label whose token has the largest logit).
public struct ICLAccuracy: Codable, Sendable, Equatable {
  public var k: Int
  public var prompts: Int
  public var correct: Int
  public var accuracy: Double { prompts == 0 ? 0 : Double(correct) / Double(prompts) }

  enum CodingKeys: String, CodingKey { case k, prompts, correct, accuracy }
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(k, forKey: .k)
    try c.encode(prompts, forKey: .prompts)
    try c.encode(correct, forKey: .correct)
    try c.encode(accuracy, forKey: .accuracy)
  }
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    k = try c.decode(Int.self, forKey: .k)
    prompts = try c.decode(Int.self, forKey: .prompts)
    correct = try c.decode(Int.self, forKey: .correct)
  }
  public init(k: Int, prompts: Int, correct: Int) {
    self.k = k
    self.prompts = prompts
    self.correct = correct
  }
}

/// What `trace.json` holds.
public struct ICLStudyResult: Codable, Sendable, Equatable {
  public var model: String
  public var task: String
  public var options: ICLStudyOptions
  /// The first token of each label word as it follows the prompt.
  public var labelTokens: [Int32]
  public var accuracy: [ICLAccuracy]
  public var trace: EntropyTrace
  /// Seconds spent running the model and fitting BAEs.
  public var forwardSeconds: Double
  public var fitSeconds: Double

  enum CodingKeys: String, CodingKey {
    case model, task, options, labelTokens = "label_tokens", accuracy, trace, forwardSeconds = "forward_seconds"
    case fitSeconds = "fit_seconds"
  }
}

/// Progress of a study.
public enum ICLProgress: Sendable {
  case forward(prompts: Int, of: Int)
  case fitting(done: Int, of: Int)
}

/// Errors of a study's setup.
public enum ICLStudyError: Error, CustomStringConvertible, Equatable {
  case layers(StudyLayerError)
  case missingAutoencoder(layer: Int, hook: String)
  case autoencoderMismatch(layer: Int, reason: String)
  case labelTokens(String)
  case emptyGrid

  public var description: String {
    switch self {
    case .layers(let error): error.description
    case .missingAutoencoder(let l, let hook): "no autoencoder was given for layer \(l) (\(UntrustedText.describe(hook)))"
    case .autoencoderMismatch(let l, let reason):
      "the autoencoder for layer \(l) does not fit: \(UntrustedText.describe(reason, limit: 400))"
    // Label words come from the task's template file.
    case .labelTokens(let reason): "label words: \(UntrustedText.describe(reason, limit: 400))"
    case .emptyGrid: "no k values to study"
    }
  }
}

/// An in-context-learning entropy study (the paper's §4.3): for each k, prompts with k
/// demonstrations; the last prompt token's state at every studied layer; the entropy of each
/// (layer, k) set of states estimated with BAEs; and the model's label accuracy per k.
public struct ICLStudy {
  public let model: LlamaModel
  public let modelName: String
  public let tokenizer: any Tokenizer
  public let task: ICLTask
  public let options: ICLStudyOptions

  public init(model: LlamaModel, modelName: String, tokenizer: any Tokenizer, task: ICLTask, options: ICLStudyOptions)
  {
    self.model = model
    self.modelName = modelName
    self.tokenizer = tokenizer
    self.task = task
    self.options = options
  }

  /// The studied layers and the points read there, checked.
  public func points() throws(ICLStudyError) -> [(layer: Int, point: HookPoint)] {
    do {
      return try studyPoints(layers: options.layers, site: options.site, layerCount: model.configuration.layerCount)
    } catch {
      throw .layers(error)
    }
  }

  /// Every prompt of the study, k by k (the file `prompts.jsonl`).
  ///
  /// - Throws: ``ICLError`` (k too large for the task, no prompts).
  public func prompts() throws(ICLError) -> [ICLPrompt] {
    let builder = ICLPromptBuilder(task: task)
    var all: [ICLPrompt] = []
    for k in options.ks { all += try builder.prompts(k: k, count: options.promptsPerK, seed: options.seed) }
    return all
  }

  /// The first token of each label word as it continues a prompt: the token after the prompt's
  /// own tokens in `prompt + continuation`.
  func labelTokens(after prompt: String) throws -> [Int32] {
    let base = try tokenizer.encodeIDs(prompt)
    var tokens: [Int32] = []
    for label in task.template.labels.indices {
      let continuation = ICLPromptBuilder(task: task).continuation(label: label)
      let ids = try tokenizer.encodeIDs(prompt + continuation)
      guard ids.count > base.count, Array(ids[..<base.count]) == base else {
        throw ICLStudyError.labelTokens(
          "the tokens of \(String(reflecting: prompt + continuation)) do not extend those of the prompt")
      }
      tokens.append(ids[base.count])
    }
    guard Set(tokens).count == tokens.count else {
      throw ICLStudyError.labelTokens(
        "two label words start with the same token (\(tokens)); accuracy from first tokens would be ambiguous")
    }
    return tokens
  }

  /// Runs the study on `prompts` (from ``prompts()``).
  ///
  /// - Parameters:
  ///   - autoencoders: with ``ICLEstimator/given``, one BAE per studied layer.
  /// - Throws: ``ICLStudyError``, ``ForwardError``, ``AutoencoderError``, tokenizer errors.
  public func run(
    prompts: [ICLPrompt], autoencoders: [Int: Autoencoder] = [:], context: ComputeContext,
    progress: @Sendable (ICLProgress) -> Void = { _ in }
  ) throws -> ICLStudyResult {
    guard !options.ks.isEmpty else { throw ICLStudyError.emptyGrid }
    let studied = try points()
    let (layers, points) = (studied.map(\.layer), studied.map(\.point))
    if options.estimator == .given {
      for (l, point) in zip(layers, points) {
        guard let ae = autoencoders[l] else { throw ICLStudyError.missingAutoencoder(layer: l, hook: point.name) }
        let c = ae.configuration
        guard c.architecture.isBinary else {
          throw ICLStudyError.autoencoderMismatch(layer: l, reason: "it is a \(c.architecture.rawValue), not a BAE")
        }
        guard c.inputWidth == model.configuration.hiddenSize else {
          throw ICLStudyError.autoencoderMismatch(
            layer: l, reason: "it reads \(c.inputWidth) values, the model's states have \(model.configuration.hiddenSize)")
        }
        if let hook = c.inputHook, hook != point.name {
          throw ICLStudyError.autoencoderMismatch(layer: l, reason: "it was trained on \(hook), the study reads \(point.name)")
        }
      }
    }

    // Forward: last-token states and label logits.
    let forwardStart = Date()
    let labelTokens = try labelTokens(after: prompts.first?.text ?? "")
    let ids = try prompts.map { try tokenizer.encodeIDs($0.text) }
    let states = try LastTokenStates(
      model: model, prompts: ids, points: points, candidates: labelTokens, batchTokens: options.batchTokens,
      context: context
    ) { progress(.forward(prompts: $0, of: prompts.count)) }
    let forwardSeconds = Date().timeIntervalSince(forwardStart)

    var accuracy: [ICLAccuracy] = []
    var rowsOfK: [Int: [Int]] = [:]
    for (i, p) in prompts.enumerated() { rowsOfK[p.k, default: []].append(i) }
    for k in options.ks {
      let rows = rowsOfK[k] ?? []
      let correct = rows.filter { i in
        let logits = states.candidateLogits.row(i)
        let best = logits.indices.max { logits[$0] < logits[$1] || (logits[$0] == logits[$1] && $0 > $1) }!
        return best - logits.startIndex == prompts[i].label
      }.count
      accuracy.append(ICLAccuracy(k: k, prompts: rows.count, correct: correct))
    }

    // Entropy per (layer, k).
    let fitStart = Date()
    var cells: [EntropyTraceCell] = []
    switch options.estimator {
    case .perSet:
      var jobs: [EntropyJob] = []
      for (l, point) in zip(layers, points) {
        for k in options.ks {
          jobs.append(
            EntropyJob(layer: l, hook: point.name, group: k, rows: states.states[point]!.gathering(rows: rowsOfK[k]!)))
        }
      }
      let spreads = try EntropyFitBatch.run(
        jobs, settings: options.fit, seeds: options.fitSeeds, workers: context.threads
      ) { progress(.fitting(done: $0, of: $1)) }
      for (job, spread) in zip(jobs, spreads) {
        cells.append(
          EntropyTraceCell(layer: job.layer, hook: job.hook, group: job.group, rows: job.rows.rows, entropy: spread[0]))
      }
    case .pooled:
      let jobs = zip(layers, points).map { l, point in
        let all = states.states[point]!
        return EntropyJob(
          layer: l, hook: point.name, group: -1, rows: all,
          measured: options.ks.map { all.gathering(rows: rowsOfK[$0]!) })
      }
      let spreads = try EntropyFitBatch.run(
        jobs, settings: options.fit, seeds: options.fitSeeds, workers: context.threads
      ) { progress(.fitting(done: $0, of: $1)) }
      for (job, perK) in zip(jobs, spreads) {
        for (k, spread) in zip(options.ks, perK) {
          cells.append(
            EntropyTraceCell(layer: job.layer, hook: job.hook, group: k, rows: rowsOfK[k]!.count, entropy: spread))
        }
      }
    case .given:
      for (l, point) in zip(layers, points) {
        for k in options.ks {
          let rows = states.states[point]!.gathering(rows: rowsOfK[k]!)
          let fit = EntropyFit(autoencoder: autoencoders[l]!, rows: rows, context: context)
          cells.append(
            EntropyTraceCell(
              layer: l, hook: point.name, group: k, rows: rows.rows, entropy: EntropySpread([fit])))
        }
      }
    }
    return ICLStudyResult(
      model: modelName, task: task.name, options: options, labelTokens: labelTokens, accuracy: accuracy,
      trace: EntropyTrace(cells: cells), forwardSeconds: forwardSeconds,
      fitSeconds: Date().timeIntervalSince(fitStart))
  }
}
