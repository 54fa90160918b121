import ArgumentParser
import Corpora

/// Corpus selection and reading options, shared by commands that stream text.
struct CorpusArguments: ParsableArguments {
  @Option(
    name: .long, parsing: .upToNextOption,
    help: ArgumentHelp(
      "Files, directories or globs (plain text, JSONL, CSV/TSV; .gz .zst .xz .bz2; .tar .zip).", valueName: "path"))
  var corpus: [String] = []

  @Option(name: .long, help: "Corpus format: auto (by extension), text, jsonl or csv.")
  var corpusFormat = CorpusFormatKind.auto

  @Option(name: .long, help: "Documents in plain text: line (bookcorpus), paragraph or file.")
  var textMode = DocumentMode.line

  @Option(name: .long, help: "JSONL field holding the text (dotted paths allowed).")
  var field = "text"

  @Option(name: .long, help: "CSV/TSV column holding the text (header name or 0-based index).")
  var column = "text"

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Keep only documents whose metadata matches, e.g. meta.pile_set_name=Gutenberg (PG-19)|Bible (KJV) (repeatable).",
      valueName: "key=v1|v2"))
  var include: [String] = []

  @Option(name: .long, help: "Bad input (invalid UTF-8, broken JSON line, damaged archive): skip (count it) or fail.")
  var onBadInput = BadInputPolicy.skip

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Longest record (line, JSON line, CSV record, paragraph or file) kept, in bytes (K, M, G suffixes); longer ones are bad input.",
      valueName: "size"))
  var maxRecordSize = "16M"

  func validate() throws {
    for rule in include where !rule.contains("=") {
      throw ValidationError("--include '\(rule)' must look like key=value")
    }
    guard maxRecordBytes != nil else {
      throw ValidationError(
        "--max-record-size '\(maxRecordSize)' must be a positive size such as 65536, 512K, 64M or 1G")
    }
  }

  /// `--max-record-size` in bytes, or `nil` when it is not a positive size up to 1 TiB.
  var maxRecordBytes: Int? {
    let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
    var text = maxRecordSize.uppercased()
    if text.hasSuffix("B") { text.removeLast() }
    var scale = 1
    if let last = text.last, let unit = units[last] {
      scale = unit
      text.removeLast()
    }
    guard let value = Int(text), value > 0, value <= (1 << 40) / scale else { return nil }
    return value * scale
  }

  /// The reader options these flags describe.
  var options: CorpusOptions {
    let csvColumn: CSVColumn = Int(column).map { .index($0) } ?? .name(column)
    let format: CorpusFormat
    switch corpusFormat {
    case .text: format = .text(textMode)
    case .jsonl: format = .jsonl(field: field)
    case .csv: format = .csv(column: csvColumn, delimiter: nil, hasHeader: true)
    case .auto: format = .auto
    }
    var filters: [String: Set<String>] = [:]
    for rule in include {
      let parts = rule.split(separator: "=", maxSplits: 1).map(String.init)
      let key = parts[0] == "pile_set_name" ? Document.pileSetNameKey : parts[0]
      filters[key, default: []].formUnion(parts[1].split(separator: "|").map(String.init))
    }
    return CorpusOptions(
      format: format, textMode: textMode, jsonField: field, csvColumn: csvColumn, include: filters, policy: onBadInput,
      maxRecordBytes: maxRecordBytes ?? CorpusOptions.defaultMaxRecordBytes)
  }
}
