import Autoencoders
import ChatAPI
import Foundation
import Interpret
import TestSupport
import Testing

/// ComSem end to end with an in-process judge: scores, the record thresholds, answers that are
/// neither yes nor no, resuming without a request, failures that keep finished batches.
@Suite struct ComSemTests {
  /// Records where feature `j` has one record per token of `features[j]`, each in its own
  /// two-token document (BOS, the token) at position 1.
  static func records(_ features: [[String]], active: [Int]) -> ActivationRecords {
    var documents: [RecordDocument] = []
    var lists: [[ActivationRecord]] = []
    for tokens in features {
      var list: [ActivationRecord] = []
      for token in tokens {
        list.append(ActivationRecord(document: documents.count, position: 1, score: 1))
        documents.append(RecordDocument(text: "A\(token) sat here.", tokens: ["<s>", token]))
      }
      lists.append(list)
    }
    let manifest = RecordManifest(
      model: "fake", corpus: ["fake.txt"], hook: "blocks.0.hook_resid_post", autoencoder: "ae", type: "bae",
      scoring: .minorityState, topK: 1, codeWidth: features.count, textsRead: documents.count,
      documents: documents.count, tokens: 2 * documents.count, context: 8, bos: .on, seed: 0, hasActivity: true,
      seconds: 0)
    return ActivationRecords(manifest: manifest, documents: documents, records: lists, active: active)
  }

  static let cat =
    Array(repeating: " cat", count: 5) + [
      " cat", " cats", " cat", " catalog", " dog", " maybe", " cat", " cat", " extra", " extra",
    ]
  static let bird = Array(repeating: " bird", count: 5) + [" bird", " fish"]
  static let standard = records(
    [cat, Array(repeating: " few", count: 5), bird, []], active: [3, 0, 10, 0])

  static func comSem(batch: Int = 16, maxFeatures: Int? = nil) throws -> ComSem {
    var options = ComSemOptions(judgeModel: "fake-judge")
    options.batchFeatures = batch
    options.maxFeatures = maxFeatures
    return try ComSem(prompts: try PromptSet.bundled(), options: options)
  }

  @Test func scoresCountYesAndSkipFeaturesWithFewRecords() async throws {
    let scratch = try ScratchDirectory("comsem")
    let judge = FakeJudge()
    let outcome = try await Self.comSem().run(records: Self.standard, judge: judge, directory: scratch.url)
    let expectedRequests = 9 + 3  // (1 + 8) for feature 0, (1 + 2) for feature 2
    #expect(judge.requests.count == expectedRequests, "no request for features with fewer than 6 records")
    #expect(outcome.requests == 12 && outcome.featuresDone == 4)
    let r = outcome.results
    #expect(r.map(\.index) == [0, 1, 2, 3])
    #expect(r[0].explanation == "cat things")
    #expect(r[0].score == 0.75 && r[0].yes == 6 && r[0].nonYesNo == 1 && r[0].tested == 8 && r[0].explainedWith == 5)
    #expect(r[0].records == 15 && r[0].interpretable)
    #expect(r[0].answers == ["Yes", "Yes", "Yes", "Yes", "no", "maybe", "Yes", "Yes"])
    #expect(r[0].firingRate == 3.0 / Double(Self.standard.manifest.tokens))
    #expect(r[0].usage == TokenUsage(promptTokens: 90, completionTokens: 9))
    #expect(r[1].explanation == "" && r[1].score == nil && !r[1].interpretable && r[1].records == 5)
    #expect(r[2].score == 0.5 && r[2].tested == 2)
    #expect(r[3].records == 0 && !r[3].interpretable)

    // Every request is deterministic and ends as the protocol says.
    for request in judge.requests {
      #expect(request.temperature == 0 && request.maxTokens != nil && request.model == "fake-judge")
    }
    let explanations = judge.requests.filter { $0.messages[0].content.contains("interpreting") }
    #expect(explanations.count == 2)
    #expect(
      explanations.allSatisfy {
        $0.messages[0].content == "You are a helpful assistant for interpreting token commonalities."
      })
    #expect(
      explanations.contains { $0.messages[1].content.hasSuffix("sentence: \"A cat sat here.\". \nThe commonality is:") })
    // Features are judged concurrently, so the order of recorded requests is not the features'.
    let questions = judge.requests.filter { $0.messages[0].content.contains("testing") }
    #expect(questions.count == 10)
    #expect(questions.allSatisfy { $0.messages[1].content.hasSuffix("\"\nAnswer:") })
    #expect(
      questions.contains { $0.messages[1].content.hasSuffix("Candidate description: \"bird things\"\nAnswer:") })

    let lines = try String(contentsOf: scratch.url("features.jsonl"), encoding: .utf8).split(separator: "\n")
    #expect(lines.count == 4)
    let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
    for key in ["index", "explanation", "score", "interpretable", "records", "firing_rate", "non_yes_no", "usage"] {
      #expect(first[key] != nil, "\(key)")
    }
    let second = try #require(try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
    #expect(second["score"] is NSNull)
  }

  @Test func aRerunResumesWithoutRequests() async throws {
    let scratch = try ScratchDirectory("comsem-resume")
    let first = FakeJudge()
    _ = try await Self.comSem(maxFeatures: 1).run(records: Self.standard, judge: first, directory: scratch.url)
    #expect(first.requests.count == 9)
    let second = FakeJudge()
    let outcome = try await Self.comSem().run(records: Self.standard, judge: second, directory: scratch.url)
    #expect(second.requests.count == 3, "only feature 2 was left to ask about")
    #expect(outcome.results.count == 4 && outcome.featuresDone == 3)

    // A crash mid-append leaves a cut line: it is dropped, and nothing is asked again.
    let file = scratch.url("features.jsonl")
    let handle = try FileHandle(forWritingTo: file)
    try handle.seekToEnd()
    try handle.write(contentsOf: Data("{\"index\": 9, \"expl".utf8))
    try handle.close()
    let third = FakeJudge()
    let again = try await Self.comSem().run(records: Self.standard, judge: third, directory: scratch.url)
    #expect(third.requests.isEmpty)
    #expect(again.results == outcome.results)
    #expect(try String(contentsOf: file, encoding: .utf8).hasSuffix("}\n"))
  }

  @Test func aFailingJudgeKeepsFinishedBatches() async throws {
    let scratch = try ScratchDirectory("comsem-fail")
    await #expect(throws: InterpretError.self) {
      _ = try await Self.comSem(batch: 1).run(
        records: Self.standard, judge: FakeJudge(failOn: "fish"), directory: scratch.url)
    }
    let kept = try FeatureResultsFile.read(scratch.url("features.jsonl"))
    #expect(kept.map(\.index) == [0, 1])
    do {
      _ = try await Self.comSem(batch: 1).run(
        records: Self.standard, judge: FakeJudge(failOn: "fish"), directory: scratch.url)
      Issue.record("the run should fail")
    } catch let error as InterpretError {
      let expected = InterpretError.judge(
        feature: 2, error: JudgeError.http(url: "fake", status: 500, message: "told to fail"))
      #expect(error == expected)
      let text = error.description
      #expect(text.contains("feature 2") && text.contains("resume"))
    }
  }

  @Test func verdictsTrimAndLowercase() {
    #expect(ComSem.verdict(" YES \n") == .yes)
    #expect(ComSem.verdict("no") == .no)
    #expect(ComSem.verdict("Yes.") == .neither)
    #expect(ComSem.verdict("yes, it does") == .neither)
    #expect(ComSem.explanation(from: "\n  body parts \nmore") == "body parts")
  }

  @Test func templatesFillOnceAndRejectUnknownPlaceholders() throws {
    let t = try PromptTemplate("a {x} b {y} {not-a-slot} {}", file: "t", allowed: ["x", "y"], required: ["x"])
    #expect(t.render(["x": "{y}", "y": "2"]) == "a {y} b 2 {not-a-slot} {}")
    #expect(throws: InterpretError.self) { try PromptTemplate("{z}", file: "t", allowed: ["x"], required: []) }
    #expect(throws: InterpretError.self) { try PromptTemplate("none", file: "t", allowed: ["x"], required: ["x"]) }
    let prompts = try PromptSet.bundled()
    let line = prompts.sampleLine(RecordSample(token: " dog", position: 3, sentence: "The dog ran."))
    #expect(line == "Token:  dog at position 3 in sentence: \"The dog ran.\". ")
  }

  @Test func summaryCountsThresholdsDeadDenseAndDrawsTheHistogram() async throws {
    let scratch = try ScratchDirectory("comsem-summary")
    let outcome = try await Self.comSem().run(records: Self.standard, judge: FakeJudge(), directory: scratch.url)
    let summary = ComSemSummary(
      results: outcome.results, records: Self.standard, activity: CodeActivity(binary: true), judgeModel: "fake-judge",
      seconds: 1, requests: outcome.requests, cached: outcome.cached)
    #expect(summary.features == 4 && summary.explained == 2 && summary.notInterpretable == 2)
    #expect(summary.interpretable.map(\.features) == [2, 1, 0])
    #expect(summary.meanScore == 0.625)
    #expect(summary.histogramCounts == [0, 0, 0, 0, 0, 1, 0, 1, 0, 0])
    #expect(summary.answers == 10 && summary.nonYesNo == 1)
    // Bits active on 0 of 52 tokens (codes 1 and 3) are dead; none is 1 on more than half.
    #expect(summary.dead == 2 && summary.dense == 0)
    #expect(summary.usage.totalTokens == 12 * 11)
    try summary.write(to: scratch.url)
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: scratch.url("summary.json"))) as? [String: Any])
    #expect(json["explained"] as? Int == 2 && json["dead"] as? Int == 2)
    let svg = try XMLTree(try String(contentsOf: scratch.url("score-histogram.svg"), encoding: .utf8))
    #expect(svg.elements(withClass: "bar").count == 10)
  }

  @Test func recordsRoundTripThroughTheirFiles() throws {
    let scratch = try ScratchDirectory("records-files")
    try Self.standard.write(to: scratch.url("records"))
    #expect(try ActivationRecords.read(from: scratch.url("records")) == Self.standard)
    try Data("BAEREC01".utf8).write(to: scratch.url("records/records.bin"))
    #expect(throws: InterpretError.self) { try ActivationRecords.read(from: scratch.url("records")) }
  }
}
