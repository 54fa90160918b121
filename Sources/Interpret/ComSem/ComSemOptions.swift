/// How a ComSem run asks its questions (`bae-method.md` §8).
public struct ComSemOptions: Sendable, Equatable {
  /// The judge's model name, sent in every request.
  public var judgeModel: String
  /// Features with fewer records are not interpretable and cost no request (`minimum_records`).
  public var minimumRecords = 6
  /// Records shown to explain a feature: its first ones (`explain_records`).
  public var explainRecords = 5
  /// Records asked about, the ones after those (`test_records`): up to this many.
  public var testRecords = 8
  /// Token limits of the explanation and of each yes/no answer (fixed, with temperature 0, so
  /// the same question is the same request and the judge's cache answers a rerun).
  public var explanationMaxTokens = 32
  public var answerMaxTokens = 4
  /// Features whose results are written together (`batch_features`); the judge client limits
  /// how many requests are in flight.
  public var batchFeatures = 16
  /// Explain only features `0..<maxFeatures` (`max_features`); nil for all.
  public var maxFeatures: Int?

  public init(judgeModel: String) { self.judgeModel = judgeModel }

  /// - Throws: ``InterpretError/invalidOption(name:reason:)``.
  public func validate() throws(InterpretError) {
    guard !judgeModel.isEmpty else { throw .invalidOption(name: "judge_model", reason: "must not be empty") }
    for (name, value, least) in [
      ("explain_records", explainRecords, 1), ("test_records", testRecords, 1),
      ("explanation_max_tokens", explanationMaxTokens, 1), ("answer_max_tokens", answerMaxTokens, 1),
      ("batch_features", batchFeatures, 1), ("max_features", maxFeatures ?? 1, 1),
    ] where value < least {
      throw .invalidOption(name: name, reason: "must be at least \(least), got \(value)")
    }
    guard minimumRecords > explainRecords else {
      throw .invalidOption(
        name: "minimum_records",
        reason:
          "must exceed explain_records (\(explainRecords)) so every explained feature has a test, got \(minimumRecords)"
      )
    }
  }
}
