import Foundation
import Studies
import TestSupport
import Testing

/// The shipped StaICC tasks in `corpora/icl/`.
private let shippedTasks = repositoryRoot.appendingPathComponent("corpora/icl")

private let staICCTasks = [
  "agnews", "financial_phrasebank", "hate_speech_18", "rotten_tomatoes", "sst2", "sst5", "subjective", "trec",
  "tweet_eval_emotion", "tweet_eval_hate",
]

private func builder(_ name: String) throws -> ICLPromptBuilder {
  ICLPromptBuilder(task: try ICLTask.load(name: name, searchDirectories: [shippedTasks]))
}

/// The ``ICLError`` `body` throws, or `nil` (any other error is recorded as an issue).
private func iclError(_ body: () throws -> Void) -> ICLError? {
  do {
    try body()
    return nil
  } catch let error as ICLError {
    return error
  } catch {
    Issue.record("not an ICLError: \(error)")
    return nil
  }
}

/// A golden prompt: the first prompt (index 0) of `k` with seed 42.
struct GoldenPrompt: Sendable, CustomTestStringConvertible {
  let task: String
  let k: Int
  let demonstrations: [Int]
  let query: Int
  let label: Int
  let text: String
  var testDescription: String { "\(task) k=\(k)" }
}

/// Written by StaICC 0.1.1's own prompt writer (`write_prompt_from_dataline`, trailing space
/// of the label prefix cut) for the indices bae draws: `python3 scripts/make_icl_corpora.py --golden`.
private let goldenPrompts = [
  GoldenPrompt(
    task: "sst2", k: 0, demonstrations: [], query: 530, label: 0,
    text: "sentence: 's muy loco , but no more ridiculous than most of the rest of `` dragonfly . ''  sentiment:"),
  GoldenPrompt(
    task: "sst2", k: 2, demonstrations: [241, 864], query: 912, label: 0,
    text: "sentence: devoid of objectivity and full of nostalgic comments from the now middle-aged participants  "
      + "sentiment: negative\n"
      + "sentence: assured direction and complete lack of modern day irony  sentiment: positive\n"
      + "sentence: as funny nor  sentiment:"),
  GoldenPrompt(
    task: "financial_phrasebank", k: 0, demonstrations: [], query: 530, label: 2,
    text: "sentence: The Lithuanian beer market made up 14.41 million liters in January , a rise of 0.8 percent from "
      + "the year-earlier figure , the Lithuanian Brewers ' Association reporting citing the results from its "
      + "members . sentiment:"),
  GoldenPrompt(
    task: "financial_phrasebank", k: 2, demonstrations: [241, 864], query: 912, label: 1,
    text:
      "sentence: The steelmaker said that the drop in profit was explained by the continuing economic uncertainty , "
      + "mixed with the current drought in bank lending , resulting in a decline in demand for its products as "
      + "customers find it increasingly difficult to fund operations . sentiment: negative\n"
      + "sentence: Elcoteq has a global network of After Market Service sites which have a long experience in serving "
      + "Consumer Electronics and Systems Solutions customers . sentiment: neutral\n"
      + "sentence: Tekla provides 3D software for building and infrastructure engineering , with a focus on building "
      + "information modelling of steel and concrete structures from design to construction . sentiment:"),
]

@Suite struct ICLPromptTests {
  @Test(arguments: goldenPrompts) func staICCPromptForm(golden: GoldenPrompt) throws {
    let prompt = try builder(golden.task).prompt(k: golden.k, index: 0, seed: 42)
    #expect(prompt.demonstrations == golden.demonstrations)
    #expect(prompt.query == golden.query)
    #expect(prompt.label == golden.label)
    #expect(prompt.text == golden.text)
  }

  @Test func everyShippedTaskLoadsAndEndsOnTheLabelColon() throws {
    #expect(ICLTask.available(in: [shippedTasks]) == staICCTasks)
    for name in staICCTasks {
      let builder = try builder(name)
      #expect(builder.task.examples.count == 1024, "\(name)")
      for k in [0, 1, 4, 8] {
        for prompt in try builder.prompts(k: k, count: 4, seed: 42) {
          #expect(prompt.text.hasSuffix(":") && !prompt.text.hasSuffix(" :"), "\(name) k=\(k)")
          #expect(prompt.k == k && prompt.demonstrations.count == k)
          #expect(prompt.labelWord == builder.task.template.labels[prompt.label])
        }
      }
    }
  }

  @Test func demonstrationsAreSampledPerPromptAndExcludeTheQuery() throws {
    let prompts = try builder("sst2").prompts(k: 4, count: 64, seed: 42)
    #expect(Set(prompts.map(\.demonstrations)).count == 64)
    #expect(Set(prompts.map(\.query)).count > 32)
    for prompt in prompts {
      #expect(!prompt.demonstrations.contains(prompt.query))
      #expect(Set(prompt.demonstrations).count == prompt.k)
    }
  }

  @Test func seedsReproducePromptsIndependentlyOfCountAndOtherK() throws {
    let builder = try builder("rotten_tomatoes")
    let first = try builder.prompts(k: 2, count: 16, seed: 7)
    #expect(try builder.prompts(k: 2, count: 16, seed: 7) == first)
    #expect(try builder.prompts(k: 2, count: 4, seed: 7) == Array(first.prefix(4)))
    #expect(try builder.prompt(k: 2, index: 9, seed: 7) == first[9])
    #expect(try builder.prompts(k: 2, count: 16, seed: 8) != first)
    let k1 = try builder.prompts(k: 1, count: 16, seed: 7)
    #expect(k1.map(\.query) != first.map(\.query))
  }

  @Test func continuationIsTheRemovedSpaceAndTheLabelWord() throws {
    let sst2 = try builder("sst2")
    #expect(sst2.continuation(label: 0) == " negative")
    #expect(sst2.continuation(label: 1) == " positive")
    #expect(sst2.task.template.promptEnding == "sentiment:")
    let prompt = try sst2.prompt(demonstrations: [241], query: 864)
    let demonstration = sst2.task.examples[241]
    #expect(
      prompt.text == "sentence: \(demonstration.text) sentiment:\(sst2.continuation(label: demonstration.label))\n"
        + "sentence: \(sst2.task.examples[864].text) sentiment:")
    #expect(try builder("trec").continuation(label: 5) == " number")
  }

  @Test func promptRecordsEncodeWithSnakeCaseKeys() throws {
    let prompt = ICLPrompt(k: 1, text: "a: x b:", label: 1, labelWord: "yes", demonstrations: [3], query: 4)
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    let json = String(decoding: try encoder.encode(prompt), as: UTF8.self)
    #expect(json == #"{"demonstrations":[3],"k":1,"label":1,"label_word":"yes","prompt":"a: x b:","query":4}"#)
    #expect(try JSONDecoder().decode(ICLPrompt.self, from: Data(json.utf8)) == prompt)
  }
}

@Suite struct ICLBadInputTests {
  private let template = #"{"input_prefix": "q: ", "label_prefix": "a: ", "labels": ["no", "yes"]}"#

  @Test func unknownTaskListsTheAvailableOnes() throws {
    let error = iclError { _ = try ICLTask.load(name: "sst-2", searchDirectories: [shippedTasks]) }
    guard case .unknownTask(let name, let available, _) = error else {
      Issue.record("expected unknownTask, got \(String(describing: error))")
      return
    }
    #expect(name == "sst-2" && available == staICCTasks)
    #expect(error!.description.contains("Available tasks: \(staICCTasks.joined(separator: ", "))."))
    #expect(iclError { _ = try ICLTask.load(name: "../icl/sst2", searchDirectories: [shippedTasks]) } != nil)
  }

  @Test func kLargerThanTheTaskAllowsIsRefused() throws {
    let scratch = try ScratchDirectory("icl")
    try scratch.write("tiny.template.json", template)
    try scratch.write(
      "tiny.jsonl",
      #"{"text": "a", "label": 0}"# + "\n" + #"{"text": "b", "label": 1}"# + "\n"
        + #"{"text": "c", "label": 1}"# + "\n")
    let builder = ICLPromptBuilder(task: try ICLTask.load(name: "tiny", searchDirectories: [scratch.url]))
    #expect(try builder.prompts(k: 2, count: 3, seed: 1).allSatisfy { Set($0.demonstrations + [$0.query]).count == 3 })
    let error = iclError { _ = try builder.prompts(k: 3, count: 1, seed: 1) }
    #expect(error == .notEnoughExamples(task: "tiny", k: 3, available: 3))
    #expect(error?.description.contains("needs 4 distinct examples") == true)
    #expect(error?.description.contains("k ≤ 2") == true)
    #expect(iclError { _ = try builder.prompts(k: 1, count: 0, seed: 1) } == .invalidPromptCount(count: 0))
    #expect(iclError { _ = try builder.prompts(k: -1, count: 1, seed: 1) } == .negativeDemonstrationCount(k: -1))
    #expect(iclError { _ = try builder.prompt(demonstrations: [0, 0], query: 1) } != nil)
  }

  @Test func malformedLinesNameTheFileAndLine() throws {
    let scratch = try ScratchDirectory("icl")
    try scratch.write("task.template.json", template)
    let good = #"{"text": "fine", "label": 1, "id": 7}"#
    let cases: [(line: String, check: (ICLError?) -> Bool)] = [
      (
        #"{"text": 5, "label": 0}"#,
        { if case .malformedLine(_, 3, let r)? = $0 { r.contains("`text`") } else { false } }
      ),
      (
        #"{"text": "x", "label": "1"}"#,
        { if case .malformedLine(_, 3, let r)? = $0 { r.contains("`label`") } else { false } }
      ),
      (#"{"text": "x"}"#, { if case .malformedLine(_, 3, let r)? = $0 { r.contains("missing") } else { false } }),
      (
        #"{"text": "x", "label": 2}"#,
        { $0 == .labelOutOfRange(path: scratch.path("task.jsonl"), line: 3, label: 2, labelCount: 2) }
      ),
      (#"["text", 1]"#, { if case .malformedLine(_, 3, _)? = $0 { true } else { false } }),
      ("{text: x}", { if case .malformedLine(_, 3, "not valid JSON")? = $0 { true } else { false } }),
    ]
    for (line, check) in cases {
      try scratch.write("task.jsonl", good + "\n\n" + line + "\n")
      let error = iclError { _ = try ICLTask.load(jsonl: scratch.url("task.jsonl")) }
      #expect(check(error), "\(line): \(String(describing: error))")
      #expect(error?.description.hasPrefix(scratch.path("task.jsonl") + ":3: ") == true)
    }
    try scratch.write("task.jsonl", "\n  \n")
    #expect(
      iclError { _ = try ICLTask.load(jsonl: scratch.url("task.jsonl")) }
        == .emptyTask(path: scratch.path("task.jsonl")))
    try scratch.write(
      "task.jsonl",
      good + "\n" + #"{"text": ""# + String(repeating: "x", count: ICLTask.maximumLineLength) + "\", \"label\": 0}\n")
    #expect(
      iclError { _ = try ICLTask.load(jsonl: scratch.url("task.jsonl")) }
        == .lineTooLong(path: scratch.path("task.jsonl"), line: 2, limit: ICLTask.maximumLineLength))
  }

  @Test func templateTyposAndBadValuesAreRefused() throws {
    let scratch = try ScratchDirectory("icl")
    try scratch.write("task.jsonl", #"{"text": "fine", "label": 1}"# + "\n")
    let file = scratch.path("task.template.json")
    func load(_ template: String) throws -> ICLError? {
      try scratch.write("task.template.json", template)
      return iclError { _ = try ICLTask.load(jsonl: scratch.url("task.jsonl")) }
    }
    let typo = try load(#"{"input_prefix": "q: ", "label_prefx": "a: ", "labels": ["no", "yes"]}"#)
    #expect(typo == .unknownTemplateKey(path: file, key: "label_prefx", suggestion: "label_prefix"))
    #expect(typo?.description.contains("\(file): unknown key 'label_prefx'") == true)
    #expect(typo?.description.contains("did you mean 'label_prefix'?") == true)
    #expect(
      try load(#"{"input_prefix": "q: ", "label_prefix": "a: ", "labels": ["yes"]}"#).map {
        if case .invalidTemplate(file, let reason) = $0 { reason.contains("at least 2") } else { false }
      } == true)
    #expect(
      try load(#"{"input_prefix": "q: ", "label_prefix": " ", "labels": ["no", "yes"]}"#).map {
        if case .invalidTemplate(file, let reason) = $0 { reason.contains("label_prefix") } else { false }
      } == true)
    #expect(
      try load(#"{"input_prefix": "q: ", "label_prefix": "a: ", "labels": ["no", "no"]}"#).map {
        if case .invalidTemplate(file, let reason) = $0 { reason.contains("repeats") } else { false }
      } == true)
    #expect(
      try load(#"{"input_prefix": "q: ", "labels": ["no", "yes"]}"#).map {
        if case .malformedTemplate(file, let reason) = $0 { reason.contains("label_prefix") } else { false }
      } == true)
    #expect(try load("not json").map { if case .malformedTemplate(file, _) = $0 { true } else { false } } == true)
  }

  @Test func ownTaskLoadsFromItsFilesWithTemplateDefaults() throws {
    let scratch = try ScratchDirectory("icl")
    try scratch.write(
      "mine.jsonl", #"{"text": "is it?", "label": 1}"# + "\r\n" + #"{"text": "no", "label": 0}"# + "\r\n")
    #expect(
      iclError { _ = try ICLTask.load(jsonl: scratch.url("mine.jsonl")) }
        == .incompleteTask(name: "mine", found: scratch.path("mine.jsonl"), missing: scratch.path("mine.template.json"))
    )
    #expect(
      iclError { _ = try ICLTask.load(name: "mine", searchDirectories: [scratch.url, shippedTasks]) }
        == .incompleteTask(name: "mine", found: scratch.path("mine.jsonl"), missing: scratch.path("mine.template.json"))
    )
    try scratch.write("mine.template.json", template)
    let task = try ICLTask.load(jsonl: scratch.url("mine.jsonl"))
    #expect(
      task.name == "mine" && task.examples == [ICLExample(text: "is it?", label: 1), ICLExample(text: "no", label: 0)])
    let prompt = try ICLPromptBuilder(task: task).prompt(demonstrations: [1], query: 0)
    #expect(prompt.text == "q: no a: no\nq: is it? a:")
    #expect(ICLTask.available(in: [scratch.url, shippedTasks]) == (staICCTasks + ["mine"]).sorted())
  }
}
