/// One labelled example of a classification task: a line `{"text": …, "label": …}` of a task's
/// JSON Lines file.
public struct ICLExample: Sendable, Equatable, Hashable {
  /// The input text, exactly as the prompt will hold it (StaICC's SST-2 texts end with a space).
  public var text: String
  /// Index of the example's label word in the task's ``ICLTemplate/labels``.
  public var label: Int

  /// An example with input `text` and label index `label`.
  public init(text: String, label: Int) {
    self.text = text
    self.label = label
  }
}
