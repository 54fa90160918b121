/// How a plain-text file is cut into documents.
public enum DocumentMode: String, Sendable, Hashable, CaseIterable, Codable {
  /// One document per non-blank line (the bookcorpus layout).
  case line
  /// One document per run of non-blank lines separated by blank lines.
  case paragraph
  /// The whole file, or the whole archive member, is one document.
  case file
}

/// A CSV column chosen by header name or by 0-based index.
public enum CSVColumn: Sendable, Hashable, CustomStringConvertible {
  /// The column whose header cell equals this name (needs a header row).
  case name(String)
  /// The 0-based column index.
  case index(Int)

  /// The name in quotes, or `#index`.
  public var description: String {
    switch self {
    case .name(let name): "\"\(name)\""
    case .index(let index): "#\(index)"
    }
  }
}

/// The record format of the files in a corpus.
///
/// Compression (gzip, zstd, xz, bzip2, lz4) and archives (tar, zip) are
/// detected from the bytes by libarchive whatever the format; the format only
/// says how the decompressed bytes of each file or member become documents.
public enum CorpusFormat: Sendable, Hashable {
  /// Plain UTF-8 text cut into documents by `mode`.
  case text(DocumentMode)
  /// JSON Lines: one JSON object per line; the document text is the string at
  /// the dotted path `field` (for example `text` or `meta.body`).
  case jsonl(field: String)
  /// CSV or TSV (RFC 4180 quoting, records may span lines).
  /// - `column`: the column holding the text.
  /// - `delimiter`: the ASCII delimiter byte; `nil` picks tab for `.tsv`
  ///   names and comma otherwise.
  /// - `hasHeader`: whether the first record is a header row (required for
  ///   ``CSVColumn/name(_:)``).
  case csv(column: CSVColumn, delimiter: UInt8?, hasHeader: Bool)
  /// Chosen per file (or archive member) from its name, ignoring compression
  /// suffixes: `.jsonl`, `.json`, `.ndjson` → ``jsonl(field:)`` with
  /// ``CorpusOptions/jsonField``; `.csv`, `.tsv` → ``csv(column:delimiter:hasHeader:)``
  /// with ``CorpusOptions/csvColumn``; anything else → ``text(_:)`` with
  /// ``CorpusOptions/textMode``.
  case auto

  /// Compression suffixes stripped before the extension is looked at.
  static let compressionSuffixes: Set<String> = [
    "gz", "gzip", "zst", "zstd", "xz", "lzma", "bz2", "bzip2", "lz4", "z",
  ]

  /// The concrete format for a file or member name under these options.
  /// - Parameters:
  ///   - name: A file path or archive member name.
  ///   - options: Supplies the defaults used by ``auto``.
  /// - Returns: `self` unless it is ``auto``; then a concrete format.
  public func resolved(forName name: String, options: CorpusOptions) -> CorpusFormat {
    guard case .auto = self else { return self }
    switch Self.fileExtension(of: name) {
    case "jsonl", "json", "ndjson":
      return .jsonl(field: options.jsonField)
    case "csv", "tsv":
      return .csv(column: options.csvColumn, delimiter: nil, hasHeader: true)
    default:
      return .text(options.textMode)
    }
  }

  /// The lower-cased extension of `name` after dropping compression suffixes
  /// (`a/b.JSONL.zst` → `jsonl`, `x.tar.gz` → `tar`).
  static func fileExtension(of name: String) -> String {
    let base = name.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? name
    var parts = base.lowercased().split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    while parts.count > 1, let last = parts.last, compressionSuffixes.contains(last) {
      parts.removeLast()
    }
    return parts.count > 1 ? parts[parts.count - 1] : ""
  }
}
