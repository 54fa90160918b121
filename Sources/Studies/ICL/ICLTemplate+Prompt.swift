extension ICLTemplate {
  /// The label prefix as a prompt ends with it: without its trailing whitespace (`"sentiment:"`).
  public var promptEnding: String {
    String(labelPrefix[..<trailingWhitespaceStart])
  }

  /// The prompt for `demonstrations` (in order) and the query `text`, ending with
  /// ``promptEnding``.
  ///
  /// - Precondition: every demonstration's label indexes ``labels`` (``ICLTask`` checks this
  ///   when it loads).
  public func prompt(demonstrations: [ICLExample], query: String) -> String {
    var text = instruction
    for demonstration in demonstrations {
      precondition(labels.indices.contains(demonstration.label), "label \(demonstration.label) of \(labels.count)")
      text += inputPrefix + demonstration.text + inputSuffix + labelPrefix + labels[demonstration.label] + labelSuffix
    }
    return text + queryPrefix + inputPrefix + query + inputSuffix + promptEnding
  }

  /// The text that follows a prompt when the answer is label word `label`: the label prefix's
  /// trailing whitespace, then the word (`" positive"`). Scoring the first token of each
  /// continuation gives a prompt's label prediction.
  ///
  /// - Precondition: `label` indexes ``labels``.
  public func continuation(label: Int) -> String {
    precondition(labels.indices.contains(label), "label \(label) of \(labels.count)")
    return String(labelPrefix[trailingWhitespaceStart...]) + labels[label]
  }

  private var trailingWhitespaceStart: String.Index {
    var end = labelPrefix.endIndex
    while end > labelPrefix.startIndex, labelPrefix[labelPrefix.index(before: end)].isWhitespace {
      end = labelPrefix.index(before: end)
    }
    return end
  }
}
