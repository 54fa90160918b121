import TensorCore

/// Builds seeded in-context-learning prompts for a task: for each prompt, k demonstrations and a
/// query drawn from the task's examples.
///
/// Port of the BAE reference's `make_test_samples_from_experimentor` (util/load_data.py in
/// github.com/hc495/Binary_Autoencoder), which draws k + 1 distinct indices per prompt from
/// StaICC's calibration set, the last one being the query. Two deliberate differences:
/// - the demonstrations are the drawn examples. The reference draws them but then writes
///   examples `0..<k` of the set into every prompt (a bug: all prompts of one k share their
///   demonstrations); bae does not reproduce it.
/// - draws come from ``SeededRandom`` (Python's `random.sample` with seed 42 is not
///   reproduced), one stream per (k, prompt index), so prompt i of k is the same whatever other
///   k values or prompt counts a run asks for.
public struct ICLPromptBuilder: Sendable {
  /// The task whose examples and template make the prompts.
  public let task: ICLTask

  /// A builder for `task`.
  public init(task: ICLTask) {
    self.task = task
  }

  /// `count` prompts with `k` demonstrations each: prompt `i` is ``prompt(k:index:seed:)``.
  ///
  /// - Throws: ``ICLError/invalidPromptCount(count:)`` when `count` < 1, and the errors of
  ///   ``prompt(k:index:seed:)``.
  /// - Complexity: O(count · (k + prompt length)).
  public func prompts(k: Int, count: Int, seed: UInt64) throws(ICLError) -> [ICLPrompt] {
    guard count >= 1 else { throw .invalidPromptCount(count: count) }
    var prompts: [ICLPrompt] = []
    prompts.reserveCapacity(count)
    for index in 0..<count { prompts.append(try prompt(k: k, index: index, seed: seed)) }
    return prompts
  }

  /// Prompt number `index` with `k` demonstrations: k + 1 distinct examples drawn uniformly
  /// without replacement from stream (k, index) of `seed`; the first k are the demonstrations
  /// in draw order, the last is the query.
  ///
  /// - Throws: ``ICLError/negativeDemonstrationCount(k:)`` when `k` < 0, and
  ///   ``ICLError/notEnoughExamples(task:k:available:)`` when the task has fewer than k + 1 examples.
  public func prompt(k: Int, index: Int, seed: UInt64) throws(ICLError) -> ICLPrompt {
    guard k >= 0 else { throw .negativeDemonstrationCount(k: k) }
    guard k < task.examples.count else {
      throw .notEnoughExamples(task: task.name, k: k, available: task.examples.count)
    }
    precondition(index >= 0 && index <= Int(UInt32.max) && k <= Int(UInt32.max), "prompt index or k out of range")
    var random = SeededRandom(seed: seed, stream: UInt64(k) << 32 | UInt64(index))
    let drawn = Self.distinctIndices(k + 1, below: task.examples.count, using: &random)
    return try prompt(demonstrations: Array(drawn.dropLast()), query: drawn[k])
  }

  /// The prompt with the given demonstrations (example indices, in order) and query.
  ///
  /// - Throws: ``ICLError/invalidExampleIndex(task:index:count:)`` for an index outside the
  ///   task or used twice.
  public func prompt(demonstrations: [Int], query: Int) throws(ICLError) -> ICLPrompt {
    var seen = Set<Int>()
    for index in demonstrations + [query] {
      guard task.examples.indices.contains(index), seen.insert(index).inserted else {
        throw .invalidExampleIndex(task: task.name, index: index, count: task.examples.count)
      }
    }
    let template = task.template
    let label = task.examples[query].label
    return ICLPrompt(
      k: demonstrations.count,
      text: template.prompt(demonstrations: demonstrations.map { task.examples[$0] }, query: task.examples[query].text),
      label: label, labelWord: template.labels[label], demonstrations: demonstrations, query: query)
  }

  /// The text a prompt continues with when the answer is label `label` (`" positive"`); see
  /// ``ICLTemplate/continuation(label:)``.
  ///
  /// - Precondition: `label` indexes the template's labels.
  public func continuation(label: Int) -> String {
    task.template.continuation(label: label)
  }

  /// `count` distinct integers in `0..<bound`, uniformly drawn in order (a partial Fisher–Yates
  /// shuffle over a virtual `0..<bound`, O(count) memory).
  static func distinctIndices(_ count: Int, below bound: Int, using random: inout SeededRandom) -> [Int] {
    precondition(count <= bound, "\(count) distinct values below \(bound)")
    var moved: [Int: Int] = [:]
    var drawn: [Int] = []
    drawn.reserveCapacity(count)
    for position in 0..<count {
      let pick = position + random.integer(below: bound - position)
      drawn.append(moved[pick] ?? pick)
      moved[pick] = moved[position] ?? position
    }
    return drawn
  }
}
