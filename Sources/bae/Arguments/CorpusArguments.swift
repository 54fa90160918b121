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

  func validate() throws {
    for rule in include where !rule.contains("=") {
      throw ValidationError("--include '\(rule)' must look like key=value")
    }
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
      format: format, textMode: textMode, jsonField: field, csvColumn: csvColumn, include: filters, policy: onBadInput)
  }
}
