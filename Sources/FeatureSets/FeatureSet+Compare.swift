import Foundation
import TensorCore

/// What ``FeatureSet/compareRows(with:tolerance:)`` found.
public struct FeatureSetComparison: Sendable, Equatable {
  /// Rows in the first set.
  public var rows: Int
  /// Rows in the other set.
  public var otherRows: Int
  /// Distinct documents in the first set.
  public var documents: Int
  /// Hooks compared (those of the first set).
  public var hooks: [String]
  /// Largest absolute difference of one value between matched rows.
  public var maxAbsoluteDifference: Float
  /// Largest relative L2 difference of one row, `‖a − b‖ / ‖b‖`, between matched rows.
  public var maxRelativeDifference: Float
  /// The first difference found, in words; `nil` when the sets hold the same rows.
  public var difference: String?

  /// Whether the sets hold the same rows (within the tolerance asked for).
  public var same: Bool { difference == nil }
}

extension FeatureSet {
  /// Compares the rows of two sets as rows of documents: both must hold the same documents
  /// (`doc_index`), each with the same rows in the same order (position and token id), and
  /// matched rows must hold the same values of every hook, whatever the order of the
  /// documents in the files. A set merged from the parts of a sharded extraction holds the
  /// rows of the single-process extraction in another order of documents; this is the check
  /// that they are the same rows.
  ///
  /// - Parameters:
  ///   - other: the set to compare with (it must hold the hooks of this set).
  ///   - tolerance: the largest relative L2 difference `‖a − b‖ / ‖b‖` of one row that counts as
  ///     the same row; `0` asks for equal values.
  /// - Complexity: loads the index arrays of both sets and one hook of both at a time
  ///   (`rows · width · 4` bytes each): a check for sets that fit in memory.
  /// - Returns: the comparison; ``FeatureSetComparison/difference`` names the first difference.
  /// - Throws: ``FeatureSetError`` when a set cannot be read or `other` lacks a hook.
  public func compareRows(with other: FeatureSet, tolerance: Float = 0) throws(FeatureSetError)
    -> FeatureSetComparison
  {
    let a = try indexArrays()
    let b = try other.indexArrays()
    var result = FeatureSetComparison(
      rows: rowCount, otherRows: other.rowCount, documents: 0, hooks: hooks.map(\.name), maxAbsoluteDifference: 0,
      maxRelativeDifference: 0, difference: nil)
    let rowsA = Self.rowsByDocument(a.documents)
    let rowsB = Self.rowsByDocument(b.documents)
    result.documents = rowsA.count
    guard rowCount == other.rowCount else {
      result.difference = "\(rowCount) rows against \(other.rowCount)"
      return result
    }
    // Row i of this set is row match[i] of the other.
    var match = [Int](repeating: 0, count: rowCount)
    for document in rowsA.keys.sorted() {
      let mine = rowsA[document]!
      guard let theirs = rowsB[document] else {
        result.difference = "document \(document) is only in the first set"
        return result
      }
      guard mine.count == theirs.count else {
        result.difference = "document \(document) has \(mine.count) rows against \(theirs.count)"
        return result
      }
      for (i, j) in zip(mine, theirs) {
        guard a.positions[i] == b.positions[j], a.tokens[i] == b.tokens[j] else {
          result.difference =
            "document \(document): row \(i) (position \(a.positions[i]), token \(a.tokens[i])) against row \(j) (position \(b.positions[j]), token \(b.tokens[j]))"
          return result
        }
        match[i] = j
      }
    }
    for hook in hooks {
      let point = hook.point
      let x = try rows(of: point)
      let y = try other.rows(of: point)
      for i in 0..<rowCount {
        let j = match[i]
        var squaredDifference: Float = 0
        var squaredNorm: Float = 0
        for k in 0..<hook.width {
          let u = x.values[i * hook.width + k]
          let v = y.values[j * hook.width + k]
          let d = abs(u - v)
          result.maxAbsoluteDifference = max(result.maxAbsoluteDifference, d)
          squaredDifference += d * d
          squaredNorm += v * v
        }
        let relative =
          squaredDifference == 0 ? 0 : (squaredDifference / max(squaredNorm, .leastNormalMagnitude)).squareRoot()
        result.maxRelativeDifference = max(result.maxRelativeDifference, relative)
        if relative > tolerance, result.difference == nil {
          result.difference =
            "\(hook.name): document \(a.documents[i]) position \(a.positions[i]) differs (relative L2 difference \(relative))"
        }
      }
    }
    return result
  }

  /// `token_ids`, `doc_index` and `position` of every row, in file order.
  func indexArrays() throws(FeatureSetError) -> (tokens: [Int32], documents: [Int64], positions: [Int32]) {
    var tokens = [Int32](repeating: 0, count: rowCount)
    var documents = [Int64](repeating: 0, count: rowCount)
    var positions = [Int32](repeating: 0, count: rowCount)
    var stream = RowStream(shards: shards, hooks: [])
    _ = try stream.read(upTo: rowCount) { shard, range, at in
      tokens.withUnsafeMutableBytes { shard.tokenIDs.copyBytes(rows: range, to: $0.baseAddress! + at * 4) }
      documents.withUnsafeMutableBytes { shard.documentIndex.copyBytes(rows: range, to: $0.baseAddress! + at * 8) }
      positions.withUnsafeMutableBytes { shard.positions.copyBytes(rows: range, to: $0.baseAddress! + at * 4) }
    }
    return (tokens, documents, positions)
  }

  /// The rows of each document, in file order.
  private static func rowsByDocument(_ documents: [Int64]) -> [Int64: [Int]] {
    var rows: [Int64: [Int]] = [:]
    for (i, document) in documents.enumerated() { rows[document, default: []].append(i) }
    return rows
  }
}
