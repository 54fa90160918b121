import ChatAPI
import Foundation

/// What a ComSem run reports after each feature.
public struct ComSemProgress: Sendable, Equatable {
  /// Features finished in this run, and features this run has to do.
  public var done: Int
  public var total: Int
  /// Requests sent in this run, answers read from the judge's cache, tokens spent.
  public var requests: Int
  public var cached: Int
  public var usage: TokenUsage
}

/// The result of a ComSem run: every feature's result (earlier runs' included), and what this
/// run cost.
public struct ComSemOutcome: Sendable, Equatable {
  /// Sorted by feature index.
  public var results: [FeatureResult]
  /// Features this run finished, requests it sent, answers from the cache, tokens spent.
  public var featuresDone: Int
  public var requests: Int
  public var cached: Int
  public var usage: TokenUsage
  public var seconds: Double
}

/// ComSem (`bae-method.md` §8): explain each feature with the first records it has, then ask
/// the judge, one record at a time, whether the next records fit the explanation.
///
/// - A feature with fewer than ``ComSemOptions/minimumRecords`` records gets ("", not
///   interpretable) and no request.
/// - Otherwise its first ``ComSemOptions/explainRecords`` records go into one explanation
///   request, and each of up to ``ComSemOptions/testRecords`` next records into one yes/no
///   question. The score is the share of answers that are "yes" after trimming and
///   lowercasing; an answer that is neither "yes" nor "no" counts as no and is also counted
///   in ``FeatureResult/nonYesNo``.
///
/// Requests are deterministic (temperature 0, fixed `max_tokens`), so a judge with a response
/// cache answers a rerun for free. Results are appended to `features.jsonl` a batch of
/// features at a time; a rerun reads it and skips the features already there.
public struct ComSem: Sendable {
  public var prompts: PromptSet
  public var options: ComSemOptions

  public init(prompts: PromptSet, options: ComSemOptions) throws(InterpretError) {
    try options.validate()
    self.prompts = prompts
    self.options = options
  }

  /// The explanation request for `samples`.
  public func explanationRequest(_ samples: [RecordSample]) -> ChatCompletionRequest {
    ChatCompletionRequest(
      model: options.judgeModel,
      messages: [.system(prompts.explainSystem), .user(prompts.explanation(samples))],
      maxTokens: options.explanationMaxTokens, temperature: 0)
  }

  /// The yes/no request asking whether `sample` fits `interpretation`.
  public func questionRequest(_ sample: RecordSample, interpretation: String) -> ChatCompletionRequest {
    ChatCompletionRequest(
      model: options.judgeModel,
      messages: [.system(prompts.judgeSystem), .user(prompts.question(sample, interpretation: interpretation))],
      maxTokens: options.answerMaxTokens, temperature: 0)
  }

  /// The explanation in a judge's answer: its first non-empty line, trimmed.
  public static func explanation(from answer: String) -> String {
    answer.split(whereSeparator: \.isNewline).lazy.map { $0.trimmingCharacters(in: .whitespaces) }
      .first { !$0.isEmpty } ?? ""
  }

  /// How a yes/no answer counts.
  public enum Verdict: Sendable, Equatable {
    case yes, no, neither
  }

  /// "yes" or "no" after trimming whitespace and lowercasing; anything else is neither.
  public static func verdict(_ answer: String) -> Verdict {
    switch answer.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() {
    case "yes": .yes
    case "no": .no
    default: .neither
    }
  }

  /// The prompt form of a feature's record.
  static func sample(_ record: ActivationRecord, in records: ActivationRecords) -> RecordSample {
    RecordSample(token: records.token(record), position: record.position, sentence: records.sentence(record))
  }

  /// Runs ComSem over the features of `records` not yet in `directory/features.jsonl`.
  ///
  /// - Parameters:
  ///   - directory: where `features.jsonl` is (created if needed).
  ///   - progress: called after each feature, on the calling task.
  /// - Throws: ``InterpretError/judge(feature:error:)`` when a request fails (the batches
  ///   finished before are kept), ``InterpretError/writeFailed(file:reason:)``.
  public func run(
    records: ActivationRecords, judge: any JudgeClient, directory: URL,
    progress: (ComSemProgress) -> Void = { _ in }
  ) async throws(InterpretError) -> ComSemOutcome {
    let start = Date()
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
      throw .writeFailed(file: directory.path, reason: error.localizedDescription)
    }
    let file = directory.appendingPathComponent(FeatureResultsFile.name)
    var results = try FeatureResultsFile.read(file)
    let finished = Set(results.map(\.index))
    let count = min(records.manifest.codeWidth, options.maxFeatures ?? Int.max)
    let todo = (0..<count).filter { !finished.contains($0) }
    var state = ComSemProgress(done: 0, total: todo.count, requests: 0, cached: 0, usage: .zero)
    for batchStart in stride(from: 0, to: todo.count, by: options.batchFeatures) {
      let batch = todo[batchStart..<min(todo.count, batchStart + options.batchFeatures)]
      var finishedBatch: [FeatureResult] = []
      let outcome = await withTaskGroup(of: Result<FeatureResult, InterpretError>.self) { group in
        for feature in batch {
          group.addTask {
            await Result { () async throws(InterpretError) in try await evaluate(feature, records, judge) }
          }
        }
        var failure: InterpretError?
        for await result in group {
          switch result {
          case .success(let r):
            finishedBatch.append(r)
            state.done += 1
            state.requests += r.interpretable ? 1 + r.tested - r.cached : 0
            state.cached += r.cached
            state.usage = state.usage + r.usage
            progress(state)
          case .failure(let error):
            if failure == nil {
              failure = error
              group.cancelAll()
            }
          }
        }
        return failure
      }
      if let outcome { throw outcome }
      finishedBatch.sort { $0.index < $1.index }
      try FeatureResultsFile.append(finishedBatch, to: file)
      results += finishedBatch
    }
    results.sort { $0.index < $1.index }
    return ComSemOutcome(
      results: results, featuresDone: state.done, requests: state.requests, cached: state.cached, usage: state.usage,
      seconds: Date().timeIntervalSince(start))
  }

  /// Explains and tests one feature.
  func evaluate(_ feature: Int, _ records: ActivationRecords, _ judge: any JudgeClient) async throws(InterpretError)
    -> FeatureResult
  {
    let list = records.records[feature]
    let rate = records.firingRate(feature)
    guard list.count >= options.minimumRecords else {
      return FeatureResult(
        index: feature, explanation: "", score: nil, interpretable: false, records: list.count, explainedWith: 0,
        tested: 0, yes: 0, nonYesNo: 0, answers: [], firingRate: rate, usage: .zero, cached: 0)
    }
    let shown = list.prefix(options.explainRecords).map { Self.sample($0, in: records) }
    let asked = list.dropFirst(options.explainRecords).prefix(options.testRecords).map { Self.sample($0, in: records) }
    let first: JudgeAnswer
    do {
      first = try await judge.complete(explanationRequest(shown))
    } catch {
      throw .judge(feature: feature, error: error)
    }
    let explanation = Self.explanation(from: first.text)
    var answers = [JudgeAnswer?](repeating: nil, count: asked.count)
    let requests = asked.map { questionRequest($0, interpretation: explanation) }
    let failure = await withTaskGroup(of: (Int, Result<JudgeAnswer, JudgeError>).self) { group in
      for (i, request) in requests.enumerated() {
        group.addTask { (i, await Result { () async throws(JudgeError) in try await judge.complete(request) }) }
      }
      var failure: JudgeError?
      for await (i, result) in group {
        switch result {
        case .success(let answer): answers[i] = answer
        case .failure(let error):
          if failure == nil {
            failure = error
            group.cancelAll()
          }
        }
      }
      return failure
    }
    if let failure { throw .judge(feature: feature, error: failure) }
    let texts = answers.map { $0!.text.trimmingCharacters(in: .whitespacesAndNewlines) }
    let verdicts = texts.map(Self.verdict)
    let yes = verdicts.filter { $0 == .yes }.count
    let all = [first] + answers.map { $0! }
    return FeatureResult(
      index: feature, explanation: explanation, score: Double(yes) / Double(asked.count), interpretable: true,
      records: list.count, explainedWith: shown.count, tested: asked.count, yes: yes,
      nonYesNo: verdicts.filter { $0 == .neither }.count, answers: texts, firingRate: rate,
      usage: all.reduce(TokenUsage.zero) { $0 + $1.usage }, cached: all.filter(\.fromCache).count)
  }
}

extension Result where Failure == InterpretError {
  init(catching body: () async throws(InterpretError) -> Success) async {
    do {
      self = .success(try await body())
    } catch {
      self = .failure(error)
    }
  }
}

extension Result where Failure == JudgeError {
  init(catching body: () async throws(JudgeError) -> Success) async {
    do {
      self = .success(try await body())
    } catch {
      self = .failure(error)
    }
  }
}
