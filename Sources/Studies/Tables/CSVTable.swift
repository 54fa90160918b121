import Checkpoints
import Foundation

/// A table written as CSV (RFC 4180: comma-separated, a header line, fields quoted when they hold
/// a comma, a quote or a line break, lines ended by `\n`): the one CSV writer of the analyses.
///
/// Numbers are written by the caller (``number(_:)`` gives the shortest round-trip form), so
/// a table's text is the same on every machine for the same values.
public struct CSVTable: Sendable, Equatable {
  /// Column names.
  public let columns: [String]
  /// Rows of fields, one per column.
  public private(set) var rows: [[String]] = []

  public init(columns: [String]) {
    precondition(!columns.isEmpty, "a table needs a column")
    self.columns = columns
  }

  /// Appends a row; it must have one field per column.
  public mutating func append(_ row: [String]) {
    precondition(row.count == columns.count, "\(row.count) fields for \(columns.count) columns")
    rows.append(row)
  }

  /// The CSV text.
  public var text: String {
    ([columns] + rows).map { $0.map(Self.escape).joined(separator: ",") }.joined(separator: "\n") + "\n"
  }

  /// Writes the table to `url` atomically.
  public func write(to url: URL) throws(AtomicFileError) {
    try AtomicFile.write(Data(text.utf8), to: url)
  }

  /// A field, quoted when needed.
  static func escape(_ field: String) -> String {
    guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
    return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }

  /// `value` in the shortest form that reads back as the same `Double` (`nan`, `inf`, `-inf`
  /// spelled out; empty for `nil`).
  public static func number(_ value: Double?) -> String {
    guard let value else { return "" }
    if value.isNaN { return "nan" }
    if value.isInfinite { return value > 0 ? "inf" : "-inf" }
    return "\(value)"
  }
}
