import ChatAPI
import Foundation
import Interpret
import TestSupport
import Testing

/// `bae report` in a real headless browser (Debian `chromium`): the page loads without console
/// messages, shows one card per feature, marks each record's token, escapes text, and sorts.
@Suite struct ReportCommandTests {
  static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
    FileManager.default.isExecutableFile(atPath: $0)
  }
  static let chromiumMissing = "chromium not installed: apt-get install -y chromium (make setup does)"

  /// A run directory: records of 5 features (text with markup in it), results for all of them
  /// and a summary, plus an autoencoder directory with training curves.
  static func run() throws -> ScratchDirectory {
    let scratch = try ScratchDirectory("cli-report")
    let tokens = ["<s>", "<b>x", " &", " \"cat\"", " 'dog'"]
    let documents = [RecordDocument(text: "<b>x & \"cat\" 'dog'", tokens: tokens)]
    let lists = (0..<5).map { j in
      (0..<(j * 3)).map { i in ActivationRecord(document: 0, position: 1 + i % 4, score: Float(i)) }
    }
    let manifest = RecordManifest(
      model: "tiny", corpus: ["c.txt"], hook: "blocks.1.hook_resid_post", autoencoder: scratch.path("ae"),
      type: "bae", scoring: .minorityState, topK: 2, codeWidth: 5, textsRead: 1, documents: 1, tokens: 5,
      context: 8, bos: .on, seed: 0, hasActivity: true, seconds: 0)
    let records = ActivationRecords(manifest: manifest, documents: documents, records: lists, active: [0, 1, 2, 3, 4])
    try records.write(to: scratch.url("run/records"))
    let results = (0..<5).map { j in
      let interpretable = lists[j].count >= 6
      let tested = interpretable ? lists[j].count - 5 : 0
      return FeatureResult(
        index: j, explanation: interpretable ? "<script>alert(\(j))</script> & things" : "",
        score: interpretable ? Double(j) / 8 : nil, interpretable: interpretable, records: lists[j].count,
        explainedWith: interpretable ? 5 : 0, tested: tested, yes: 1, nonYesNo: 0,
        answers: Array(repeating: "yes", count: tested), firingRate: Double(j) / 5, usage: .zero, cached: 0)
    }
    try FeatureResultsFile.append(results, to: scratch.url("run/features.jsonl"))
    let summary = ComSemSummary(
      results: results, records: records, activity: nil, judgeModel: "judge", seconds: 1, requests: 0, cached: 0)
    try summary.write(to: scratch.url("run"))
    try FileManager.default.createDirectory(at: scratch.url("ae"), withIntermediateDirectories: true)
    try scratch.write("ae/curves.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
    return scratch
  }

  /// The DOM after scripts ran, and chromium's console lines.
  static func dump(_ url: URL, profile: URL) throws -> (dom: String, console: [String]) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: chromium!)
    process.arguments = [
      "--headless=new", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--user-data-dir=\(profile.path)",
      "--dump-dom", url.absoluteString,
    ]
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let killer = DispatchWorkItem { if process.isRunning { process.terminate() } }
    DispatchQueue.global().asyncAfter(deadline: .now() + 90, execute: killer)
    let dom = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    killer.cancel()
    return (dom, log.split(separator: "\n").map(String.init).filter { $0.contains(":CONSOLE") })
  }

  static func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

  @Test func thePageLoadsInABrowserWithOneCardPerFeature() throws {
    guard Self.chromium != nil else {
      print("skipped: \(Self.chromiumMissing)")
      return
    }
    let scratch = try Self.run()
    let result = try runBae(["report", scratch.path("run")])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("5 feature cards"))
    let page = scratch.url("run/report/index.html")
    let html = try String(contentsOf: page, encoding: .utf8)
    #expect(!html.contains("<script>alert"), "explanations are escaped")
    #expect(html.contains("&lt;script&gt;alert(2)&lt;/script&gt; &amp; things"))
    #expect(html.contains("<mark>&lt;b&gt;x</mark>"))
    #expect(html.contains("href=\"../../ae/curves.svg\"") && html.contains("href=\"../score-histogram.svg\""))
    #expect(!html.contains("http://") && !html.contains("https://"), "no network")

    let (dom, console) = try Self.dump(page, profile: scratch.url("profile"))
    #expect(console.isEmpty, "console: \(console)")
    #expect(dom.contains("data-ready=\"yes\""), "the script ran to its end")
    #expect(Self.count("class=\"feature-card\"", in: dom) == 5)
    #expect(Self.count("<mark>", in: dom) == (0..<5).map { $0 * 3 }.reduce(0, +))

    // Sorted by descending score from the address: features 4, 3, 2, then the unscored ones.
    var sorted = URLComponents(url: page, resolvingAgainstBaseURL: false)!
    sorted.fragment = "sort=-score"
    let (sortedDOM, sortedConsole) = try Self.dump(sorted.url!, profile: scratch.url("profile"))
    #expect(sortedConsole.isEmpty, "console: \(sortedConsole)")
    let order = sortedDOM.components(separatedBy: "<tr data-index=\"").dropFirst().map { $0.prefix { $0 != "\"" } }
    #expect(order == ["4", "3", "2", "0", "1"], "\(order)")
  }

  @Test func theBrowserCheckSeesScriptErrors() throws {
    guard Self.chromium != nil else {
      print("skipped: \(Self.chromiumMissing)")
      return
    }
    let scratch = try ScratchDirectory("cli-report-error")
    let page = URL(fileURLWithPath: try scratch.write("bad.html", "<p>x</p><script>undefinedFunction();</script>"))
    #expect(!(try Self.dump(page, profile: scratch.url("profile")).console.isEmpty))
  }

  @Test func aDirectoryWithoutResultsIsAOneLineError() throws {
    let scratch = try ScratchDirectory("cli-report-empty")
    let result = try runBae(["report", scratch.path("nothing")])
    #expect(result.status != 0)
    #expect(result.stderr.contains("features.jsonl does not exist"), "\(result.stderr)")
  }
}
