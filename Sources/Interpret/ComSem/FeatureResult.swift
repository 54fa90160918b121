import ChatAPI
import Foundation

/// One feature's ComSem result: one line of `features.jsonl`.
///
/// `interpretable` is the reference's flag: the feature had enough records to be explained and
/// tested (at least ``ComSemOptions/minimumRecords``); its `score` is then the share of test
/// answers that are exactly "yes" (trimmed, case-insensitive). A feature with fewer records has
/// the explanation "", no score and cost no request.
public struct FeatureResult: Codable, Sendable, Equatable {
  public var index: Int
  public var explanation: String
  /// Share of "yes" answers, or nil when not interpretable.
  public var score: Double?
  public var interpretable: Bool
  /// Records the feature has in all.
  public var records: Int
  /// Records shown in the explanation request, and records asked about.
  public var explainedWith: Int
  public var tested: Int
  /// Answers that were "yes", and answers that were neither "yes" nor "no" (counted as no).
  public var yes: Int
  public var nonYesNo: Int
  /// Each test answer, trimmed, in record order.
  public var answers: [String]
  /// Share of tokens where the feature is active, or nil (a `random` run).
  public var firingRate: Double?
  /// Tokens the feature's requests cost (zero for answers read from the judge's cache).
  public var usage: TokenUsage
  /// Requests answered from the judge's cache.
  public var cached: Int

  public init(
    index: Int, explanation: String, score: Double?, interpretable: Bool, records: Int, explainedWith: Int,
    tested: Int, yes: Int, nonYesNo: Int, answers: [String], firingRate: Double?, usage: TokenUsage, cached: Int
  ) {
    self.index = index
    self.explanation = explanation
    self.score = score
    self.interpretable = interpretable
    self.records = records
    self.explainedWith = explainedWith
    self.tested = tested
    self.yes = yes
    self.nonYesNo = nonYesNo
    self.answers = answers
    self.firingRate = firingRate
    self.usage = usage
    self.cached = cached
  }

  enum CodingKeys: String, CodingKey {
    case index, explanation, score, interpretable, records, tested, yes, answers, usage, cached
    case explainedWith = "explained_with"
    case nonYesNo = "non_yes_no"
    case firingRate = "firing_rate"
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(index, forKey: .index)
    try c.encode(explanation, forKey: .explanation)
    // Explicit nulls, so every line has every key.
    try c.encode(score, forKey: .score)
    try c.encode(interpretable, forKey: .interpretable)
    try c.encode(records, forKey: .records)
    try c.encode(explainedWith, forKey: .explainedWith)
    try c.encode(tested, forKey: .tested)
    try c.encode(yes, forKey: .yes)
    try c.encode(nonYesNo, forKey: .nonYesNo)
    try c.encode(answers, forKey: .answers)
    try c.encode(firingRate, forKey: .firingRate)
    try c.encode(usage, forKey: .usage)
    try c.encode(cached, forKey: .cached)
  }
}

/// `features.jsonl`: results appended a batch at a time, read back to resume.
public enum FeatureResultsFile {
  public static let name = "features.jsonl"

  /// The results in `url` (none when it does not exist). A last line cut short by a crash is
  /// dropped and cut from the file, so the next append starts on a fresh line.
  ///
  /// - Throws: ``InterpretError/unreadable(file:reason:)`` for a damaged line before the last.
  public static func read(_ url: URL) throws(InterpretError) -> [FeatureResult] {
    guard let data = FileManager.default.contents(atPath: url.path) else { return [] }
    var results: [FeatureResult] = []
    var good = 0
    var start = data.startIndex
    let decoder = JSONDecoder()
    while start < data.endIndex {
      guard let end = data[start...].firstIndex(of: 0x0A) else { break }
      let line = data[start..<end]
      if !line.isEmpty {
        do {
          results.append(try decoder.decode(FeatureResult.self, from: Data(line)))
        } catch {
          throw .unreadable(file: url.path, reason: "line \(results.count + 1) is not a feature result (\(error))")
        }
      }
      start = end + 1
      good = start - data.startIndex
    }
    if good < data.count {
      guard truncate(url.path, off_t(good)) == 0 else {
        throw .unreadable(file: url.path, reason: "cannot cut its unfinished last line")
      }
    }
    return results
  }

  /// Appends `results`, one line each, with one write followed by `fsync`.
  ///
  /// - Throws: ``InterpretError/writeFailed(file:reason:)``.
  public static func append(_ results: [FeatureResult], to url: URL) throws(InterpretError) {
    guard !results.isEmpty else { return }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    var data = Data()
    do {
      for r in results {
        data.append(try encoder.encode(r))
        data.append(0x0A)
      }
    } catch {
      throw .writeFailed(file: url.path, reason: "\(error)")
    }
    let descriptor = open(url.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw .writeFailed(file: url.path, reason: String(cString: strerror(errno))) }
    defer { close(descriptor) }
    let written = data.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
    guard written == data.count, fsync(descriptor) == 0 else {
      throw .writeFailed(file: url.path, reason: written < 0 ? String(cString: strerror(errno)) : "short write")
    }
  }
}
