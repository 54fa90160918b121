import ArgumentParser
import Foundation
import Interpret

/// `bae report`: the feature browser of a `bae interpret` run, a static HTML page.
struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Write a static HTML feature browser for an interpret run.",
    discussion: """
      Reads DIR/features.jsonl, DIR/summary.json and the records (DIR/records, or --records) \
      and writes one self-contained page, DIR/report/index.html (or --out DIR): no server and \
      no network needed, it opens from file://. It has an index of the features (click a header \
      to sort by score, firing rate or density, the share of tokens whose top-k held the \
      feature; index.html#sort=-score opens it sorted), and one card per feature with its \
      explanation, score and firing rate and its records in their sentences, the token marked. \
      It links, when present: DIR/score-histogram.svg; the autoencoder's curves.svg (bae train); \
      firing-rates.svg and eval.json of bae eval --out, in the autoencoder's directory, its eval/ \
      folder or DIR; positions.svg (bae positions) and trace.svg (bae icl) in DIR or its parent.
      """)

  @Argument(
    help: ArgumentHelp("Run directory of bae interpret (features.jsonl, summary.json, records/).", valueName: "dir"))
  var directory: String
  @Option(name: .long, help: ArgumentHelp("Records directory (default: DIR/records).", valueName: "dir"))
  var records: String?
  @Option(name: .long, help: ArgumentHelp("Output directory (default: DIR/report).", valueName: "dir"))
  var out: String?
  @Option(name: .long, help: "Page title (default: from the run).") var title: String?

  func run() throws {
    let run = URL(fileURLWithPath: directory)
    let featuresURL = run.appendingPathComponent(FeatureResultsFile.name)
    guard FileManager.default.fileExists(atPath: featuresURL.path) else {
      throw CommandError("\(featuresURL.path) does not exist; give the --out directory of a bae interpret run")
    }
    let results = try reportingErrors { try FeatureResultsFile.read(featuresURL) }.sorted { $0.index < $1.index }
    let recordsURL = records.map { URL(fileURLWithPath: $0) } ?? run.appendingPathComponent("records")
    var recordSet: ActivationRecords?
    if records != nil || FileManager.default.fileExists(atPath: recordsURL.appendingPathComponent("manifest.json").path)
    {
      recordSet = try reportingErrors { try ActivationRecords.read(from: recordsURL) }
    }
    if let recordSet, let bad = results.first(where: { $0.index >= recordSet.manifest.codeWidth }) {
      throw CommandError(
        "feature \(bad.index) of \(featuresURL.path) is not among the \(recordSet.manifest.codeWidth) features of \(recordsURL.path)"
      )
    }
    let summaryURL = run.appendingPathComponent(ComSemSummary.fileName)
    var summary: ComSemSummary?
    if FileManager.default.fileExists(atPath: summaryURL.path) {
      summary = try reportingErrors {
        do {
          return try JSONDecoder().decode(ComSemSummary.self, from: Data(contentsOf: summaryURL))
        } catch {
          throw CommandError("\(summaryURL.path): not a bae interpret summary (\(error))")
        }
      }
    }
    let output = out.map { URL(fileURLWithPath: $0) } ?? run.appendingPathComponent("report")
    let autoencoder = recordSet?.manifest.autoencoder.map { URL(fileURLWithPath: $0) }
    let pageTitle =
      title ?? recordSet.map { "Features of \($0.manifest.type) autoencoder at \($0.manifest.hook)" } ?? "Features"
    let browser = FeatureBrowser(
      results: results, records: recordSet, summary: summary,
      links: FeatureBrowser.links(run: run, autoencoder: autoencoder, page: output), title: pageTitle)
    try reportingErrors { try browser.write(to: output) }
    print("wrote \(output.appendingPathComponent(FeatureBrowser.pageName).path) (\(results.count) feature cards)")
  }
}
