/// One in-context-learning prompt: k demonstrations and a query, written by a task's template.
///
/// Encoded as a line of `prompts.jsonl`: `{"k": 2, "prompt": "…sentiment:", "label": 0,
/// "label_word": "negative", "demonstrations": [241, 864], "query": 912}`.
public struct ICLPrompt: Sendable, Equatable, Codable {
  /// The number of demonstrations.
  public var k: Int
  /// The prompt text; it ends with the label prefix without its trailing whitespace.
  public var text: String
  /// The query's label (index into the template's label words): the right answer.
  public var label: Int
  /// The query's label word.
  public var labelWord: String
  /// The demonstrations' example indices, in prompt order.
  public var demonstrations: [Int]
  /// The query's example index.
  public var query: Int

  /// A prompt record.
  public init(k: Int, text: String, label: Int, labelWord: String, demonstrations: [Int], query: Int) {
    self.k = k
    self.text = text
    self.label = label
    self.labelWord = labelWord
    self.demonstrations = demonstrations
    self.query = query
  }

  enum CodingKeys: String, CodingKey {
    case k
    case text = "prompt"
    case label
    case labelWord = "label_word"
    case demonstrations, query
  }
}
