import Foundation
import Interpret
import TensorCore
import Testing

/// Per-token top-k selection on hand-computed examples: the BAE minority-state score, ties to
/// the lower index, corpus order, the SAE scores and the random baseline.
@Suite struct RecordSelectionTests {
  static func table(_ rows: [[Float]], binary: Bool) -> CodeTable {
    var table = CodeTable(width: rows[0].count, binary: binary)
    table.append(Matrix(rows: rows.count, columns: rows[0].count, values: rows.flatMap { $0 }))
    return table
  }

  @Test func topFeaturesBreaksTiesTowardTheLowerIndex() {
    #expect(topFeatures([1, 3, 3, 2], k: 2) == [1, 2])
    #expect(topFeatures([0, 0, 0, 0], k: 3) == [0, 1, 2])
    #expect(topFeatures([5, 1, 5, 7], k: 3) == [3, 0, 2])
    #expect(topFeatures([2, 1], k: 5) == [0, 1])
    #expect(topFeatures([-1, -1, 4, -1], k: 2) == [2, 0])
  }

  /// Bits over 4 tokens: p = (0.75, 0.25, 0.25). A 1 in code 0 scores log2(0.25), a 0 scores
  /// log2(0.75); codes 1 and 2 the other way round. Token 1 ties all three at log2(0.25) and
  /// goes to code 0.
  @Test func minorityStateScoresFollowTheRarerState() {
    let codes = Self.table([[1, 0, 1], [1, 0, 0], [1, 1, 0], [0, 0, 0]], binary: true)
    #expect(codes.mean(0) == 0.75 && codes.mean(1) == 0.25)
    #expect(codes.active == [3, 1, 1])
    let records = RecordSelection.select(
      documentLengths: [2, 2], width: 3, topK: 1, scoring: .minorityState, codes: codes)
    let rare = Float(log2(0.25 + 1e-6))
    let common = Float(log2(0.75 + 1e-6))
    #expect(
      records[0] == [
        ActivationRecord(document: 0, position: 1, score: rare),
        ActivationRecord(document: 1, position: 1, score: common),
      ])
    #expect(records[1] == [ActivationRecord(document: 1, position: 0, score: common)])
    #expect(records[2] == [ActivationRecord(document: 0, position: 0, score: common)])

    let two = RecordSelection.select(documentLengths: [4], width: 3, topK: 2, scoring: .minorityState, codes: codes)
    // Corpus order within each feature, not score order.
    // Token 0 scores (A, A, B) with A = log2(0.25), B = log2(0.75): codes 2 then 0 (tie with 1).
    // Token 1 ties all at A: 0, 1. Token 2 (A, B, A): 1, 0. Token 3 (B, A, A): 0, 1.
    #expect(two[0].map(\.position) == [0, 1, 2, 3])
    #expect(two[1].map(\.position) == [1, 2, 3])
    #expect(two[2].map(\.position) == [0])
    #expect(two.map(\.count).reduce(0, +) == 4 * 2)
  }

  @Test func deadBitsScoreAboutMinusTwenty() {
    let codes = Self.table([[0, 1], [0, 0]], binary: true)
    let records = RecordSelection.select(documentLengths: [2], width: 2, topK: 2, scoring: .minorityState, codes: codes)
    #expect(abs(Double(records[0][0].score) - log2(1e-6)) < 1e-4)
  }

  /// ReLU codes: zeros tie, so a token with one active code also records code 0.
  @Test func activationScoresAreTheCodesWithZeroTiesToTheLowerIndex() {
    let codes = Self.table([[0, 2, 0], [0, 0, 0], [3, 0, 1]], binary: false)
    let records = RecordSelection.select(documentLengths: [3], width: 3, topK: 2, scoring: .activation, codes: codes)
    #expect(records[0].map(\.position) == [0, 1, 2])
    #expect(records[1].map(\.position) == [0, 1])
    #expect(records[2].map(\.position) == [2])
    #expect(records[0].map(\.score) == [0, 0, 3])
  }

  /// Code 0 takes 0, 0, 4 (mean 4/3, std √(32/9)); code 1 takes 1, 1, 1 (std 0: ±1e6 per unit).
  @Test func standardizedScoresUsePopulationStatistics() {
    let codes = Self.table([[0, 1], [0, 1], [4, 1]], binary: false)
    #expect(abs(codes.standardDeviation(0) - (32.0 / 9).squareRoot()) < 1e-12)
    let records = RecordSelection.select(documentLengths: [3], width: 2, topK: 1, scoring: .standardized, codes: codes)
    // Code 1 is always at its mean (score 0); code 0 scores −0.707 twice, then +1.414.
    #expect(records[1].map(\.position) == [0, 1])
    #expect(records[0].map(\.position) == [2])
    let expected = (4 - 4.0 / 3) / ((32.0 / 9).squareRoot() + 1e-6)
    #expect(abs(Double(records[0][0].score) - expected) < 1e-5)
  }

  @Test func randomScoresAreSeededAndGiveKRecordsPerToken() {
    let a = RecordSelection.select(documentLengths: [5, 3], width: 6, topK: 2, scoring: .random, codes: nil, seed: 3)
    let b = RecordSelection.select(documentLengths: [5, 3], width: 6, topK: 2, scoring: .random, codes: nil, seed: 3)
    let c = RecordSelection.select(documentLengths: [5, 3], width: 6, topK: 2, scoring: .random, codes: nil, seed: 4)
    #expect(a == b)
    #expect(a != c)
    #expect(a.map(\.count).reduce(0, +) == 16)
  }
}
