import Autoencoders
import ChatAPI
import Checkpoints
import Foundation
import Plots

/// What a ComSem run found, over all its features (`summary.json`).
///
/// A feature counts as interpretable at threshold `t` when it was explained and tested and its
/// score is at least `t`. Dead and dense codes follow ``CodeActivity`` over the records' tokens
/// (absent for a `random` run, which has no codes).
public struct ComSemSummary: Codable, Sendable, Equatable {
  public static let fileName = "summary.json"
  public static let histogramName = "score-histogram.svg"
  /// The score thresholds reported.
  public static let thresholds = [0.5, 0.75, 1.0]

  /// One threshold's count.
  public struct ThresholdCount: Codable, Sendable, Equatable {
    public var threshold: Double
    public var features: Int
  }

  /// Features of the autoencoder, features with a result, and how many of those were
  /// explained and tested (enough records) or not.
  public var codeWidth: Int
  public var features: Int
  public var explained: Int
  public var notInterpretable: Int
  /// Features with a score at least each of ``thresholds``.
  public var interpretable: [ThresholdCount]
  public var meanScore: Double?
  /// Bin edges (10 equal bins over 0…1, the last holding 1) and counts of the scores.
  public var histogramEdges: [Double]
  public var histogramCounts: [Int]
  /// Test answers in all, and those neither "yes" nor "no".
  public var answers: Int
  public var nonYesNo: Int
  /// Dead and dense codes over all features, with the rule used; nil without codes.
  public var dead: Int?
  public var dense: Int?
  public var activity: CodeActivity?
  /// Tokens spent by all results' requests (cached answers cost none).
  public var usage: TokenUsage
  /// This run: seconds, requests sent, answers from the cache.
  public var seconds: Double
  public var requests: Int
  public var cached: Int
  /// The judge's model and the records' provenance.
  public var judgeModel: String
  public var records: RecordManifest

  enum CodingKeys: String, CodingKey {
    case features, explained, interpretable, answers, dead, dense, activity, usage, seconds, requests, cached, records
    case codeWidth = "code_width"
    case notInterpretable = "not_interpretable"
    case meanScore = "mean_score"
    case histogramEdges = "histogram_edges"
    case histogramCounts = "histogram_counts"
    case nonYesNo = "non_yes_no"
    case judgeModel = "judge_model"
  }

  /// Summarises `results` of `records`.
  public init(
    results: [FeatureResult], records: ActivationRecords, activity: CodeActivity?, judgeModel: String, seconds: Double,
    requests: Int, cached: Int
  ) {
    let scores = results.compactMap(\.score)
    codeWidth = records.manifest.codeWidth
    features = results.count
    explained = results.filter(\.interpretable).count
    notInterpretable = results.count - explained
    interpretable = Self.thresholds.map { t in ThresholdCount(threshold: t, features: scores.filter { $0 >= t }.count) }
    meanScore = scores.isEmpty ? nil : scores.reduce(0, +) / Double(scores.count)
    let histogram = Self.histogram(scores)
    histogramEdges = histogram.edges
    histogramCounts = histogram.counts
    answers = results.map(\.tested).reduce(0, +)
    nonYesNo = results.map(\.nonYesNo).reduce(0, +)
    if records.manifest.hasActivity, let activity {
      let n = records.manifest.tokens
      dead = activity.deadCodes(active: records.active, rows: n).count
      dense = activity.denseCodes(active: records.active, rows: n).count
      self.activity = activity
    }
    usage = results.reduce(TokenUsage.zero) { $0 + $1.usage }
    self.seconds = seconds
    self.requests = requests
    self.cached = cached
    self.judgeModel = judgeModel
    self.records = records.manifest
  }

  /// Edges and counts of 10 equal bins over 0…1 (the last bin holds 1).
  static func histogram(_ scores: [Double]) -> (edges: [Double], counts: [Int]) {
    var counts = [Int](repeating: 0, count: 10)
    for s in scores where (0...1).contains(s) { counts[min(9, Int(s * 10))] += 1 }
    return ((0...10).map { Double($0) / 10 }, counts)
  }

  /// The score histogram as an SVG document.
  ///
  /// - Throws: `PlotError` for damaged bins (a summary read from an edited file).
  public func histogramSVG() throws -> String {
    var h = try Histogram(
      title: "ComSem scores of \(explained) explained features (judge \(judgeModel))", edges: histogramEdges,
      counts: histogramCounts, xAxis: Axis("ComSem score (share of yes)"), yAxis: Axis("features"))
    h.width = 640
    return h.svg()
  }

  /// Writes `summary.json` and `score-histogram.svg` into `directory`.
  ///
  /// - Throws: ``InterpretError/writeFailed(file:reason:)``.
  public func write(to directory: URL) throws(InterpretError) {
    let url = directory.appendingPathComponent(Self.fileName)
    do {
      try AtomicFile.write(json(), to: url)
      try AtomicFile.write(Data(try histogramSVG().utf8), to: directory.appendingPathComponent(Self.histogramName))
    } catch {
      throw .writeFailed(file: url.path, reason: "\(error)")
    }
  }

  /// The summary as pretty-printed JSON with sorted keys.
  public func json() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return try encoder.encode(self)
  }
}
