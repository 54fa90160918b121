import Foundation
import Plots

/// The feature browser: one static, self-contained HTML page (inline CSS and JavaScript, no
/// network, works from `file://`) for a `bae interpret` run.
///
/// - An index table of the features, sortable by clicking a header (feature, score, firing rate,
///   density = share of tokens whose top-k held the feature); `index.html#sort=score` (or
///   `-score` for descending) opens it sorted.
/// - One `<article class="feature-card">` per result of `features.jsonl`: explanation, score,
///   yes/no counts, firing rate, and the records used, each shown in its sentence with the
///   token marked (`<mark>`), explanation records first, then test records with the judge's answer.
/// - Links to the run's other plots when present (see ``linkCandidates``).
public struct FeatureBrowser {
  /// Tokens shown either side of a record's token.
  public static let contextTokens = 40
  public static let pageName = "index.html"

  public var results: [FeatureResult]
  /// The records, for contexts and density (cards show no contexts without them).
  public var records: ActivationRecords?
  /// `summary.json` as written, shown at the top when present.
  public var summary: ComSemSummary?
  /// `(label, path relative to the page)` of other plots of the run.
  public var links: [(label: String, href: String)]
  public var title: String

  public init(
    results: [FeatureResult], records: ActivationRecords?, summary: ComSemSummary?,
    links: [(label: String, href: String)], title: String
  ) {
    self.results = results
    self.records = records
    self.summary = summary
    self.links = links
    self.title = title
  }

  /// The files linked when present, as `(label, directory role, file name)`: in the run
  /// directory, the score histogram (`score-histogram.svg`); in the autoencoder's directory
  /// (the records manifest's `autoencoder`), its training curves (`curves.svg`) and, there or in
  /// its `eval/` folder or the run directory, `bae eval --out`'s `firing-rates.svg` and
  /// `eval.json`; in the run directory or its parent, `bae positions --out`'s `positions.svg`
  /// and `bae icl --out`'s `trace.svg` (entropy traces).
  public static let linkCandidates: [(label: String, places: [String], file: String)] = [
    ("ComSem score histogram", ["run"], "score-histogram.svg"),
    ("training curves", ["ae"], "curves.svg"),
    ("firing rates (bae eval)", ["ae", "ae/eval", "run"], "firing-rates.svg"),
    ("evaluation (bae eval)", ["ae", "ae/eval", "run"], "eval.json"),
    ("entropy by position (bae positions)", ["run", "run/.."], "positions.svg"),
    ("ICL entropy trace (bae icl)", ["run", "run/.."], "trace.svg"),
  ]

  /// The links of ``linkCandidates`` that exist, relative to `page` (the output directory).
  public static func links(run: URL, autoencoder: URL?, page: URL) -> [(label: String, href: String)] {
    var found: [(String, String)] = []
    for (label, places, file) in linkCandidates {
      for place in places {
        let base: URL?
        switch place {
        case "run": base = run
        case "run/..": base = run.deletingLastPathComponent()
        case "ae": base = autoencoder
        default: base = autoencoder?.appendingPathComponent("eval")
        }
        guard let url = base?.appendingPathComponent(file), FileManager.default.fileExists(atPath: url.path) else {
          continue
        }
        found.append((label, relativePath(from: page, to: url)))
        break
      }
    }
    return found
  }

  /// The path of `target` as seen from directory `directory` (`../x/y`), percent-encoded.
  static func relativePath(from directory: URL, to target: URL) -> String {
    let from = directory.standardizedFileURL.resolvingSymlinksInPath().pathComponents
    let to = target.standardizedFileURL.resolvingSymlinksInPath().pathComponents
    var common = 0
    while common < min(from.count, to.count), from[common] == to[common] { common += 1 }
    let parts = Array(repeating: "..", count: from.count - common) + to[common...]
    return parts.map { $0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? $0 }.joined(separator: "/")
  }

  /// The page.
  public func html() -> String {
    var h = """
      <!DOCTYPE html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <title>\(XMLText.escaped(title))</title>
      <style>\(Self.css)</style>
      </head>
      <body>
      <h1>\(XMLText.escaped(title))</h1>

      """
    h += overview()
    h += table()
    h += "<section id=\"cards\">\n"
    for r in results { h += card(r) }
    h += "</section>\n<script>\(Self.script)</script>\n</body>\n</html>\n"
    return h
  }

  func number(_ value: Double?, _ format: String) -> String {
    value.map { String(format: format, $0) } ?? "–"
  }

  func density(_ r: FeatureResult) -> Double? {
    guard let records, records.manifest.tokens > 0 else { return nil }
    return Double(r.records) / Double(records.manifest.tokens)
  }

  func overview() -> String {
    var h = "<section id=\"overview\">\n<ul class=\"meta\">\n"
    if let m = records?.manifest {
      h += "<li>model <code>\(XMLText.escaped(m.model))</code>, hook <code>\(XMLText.escaped(m.hook))</code>, "
      h +=
        "\(XMLText.escaped(m.type)) autoencoder <code>\(XMLText.escaped(m.autoencoder ?? "–"))</code> with \(m.codeWidth) features</li>\n"
      h +=
        "<li>\(m.tokens) tokens of \(m.documents) documents from <code>\(XMLText.escaped(m.corpus.joined(separator: ", ")))</code>; "
      h += "top-\(m.topK) features per token by \(XMLText.escaped(m.scoring.rawValue)) score</li>\n"
    }
    if let s = summary {
      h += "<li>judge <code>\(XMLText.escaped(s.judgeModel))</code>: \(s.explained) features explained and tested, "
      h += "\(s.notInterpretable) with too few records"
      if let mean = s.meanScore { h += "; mean score \(String(format: "%.3f", mean))" }
      h += "</li>\n<li>interpretable: "
      h += s.interpretable.map { "\($0.features) at score ≥ \(String(format: "%.2f", $0.threshold))" }.joined(
        separator: ", ")
      if let dead = s.dead, let dense = s.dense { h += "; dead codes \(dead), dense codes \(dense)" }
      h += "</li>\n"
    }
    h += "</ul>\n"
    if !links.isEmpty {
      h += "<nav class=\"links\">"
      h += links.map { "<a href=\"\(XMLText.escaped($0.href))\">\(XMLText.escaped($0.label))</a>" }.joined(separator: " · ")
      h += "</nav>\n"
    }
    return h + "</section>\n"
  }

  func table() -> String {
    var h = """
      <table id="index">
      <thead><tr><th data-key="index" title="sort">feature</th><th>explanation</th>\
      <th data-key="score" title="sort">score</th><th data-key="rate" title="sort">firing rate</th>\
      <th data-key="density" title="sort">density</th></tr></thead>
      <tbody>

      """
    for r in results {
      let d = density(r)
      h += "<tr data-index=\"\(r.index)\" data-score=\"\(r.score.map { "\($0)" } ?? "")\" "
      h += "data-rate=\"\(r.firingRate.map { "\($0)" } ?? "")\" data-density=\"\(d.map { "\($0)" } ?? "")\">"
      h += "<td><a href=\"#f\(r.index)\">\(r.index)</a></td><td>\(XMLText.escaped(r.explanation))</td>"
      h +=
        "<td>\(number(r.score, "%.3f"))</td><td>\(number(r.firingRate, "%.4f"))</td><td>\(number(d, "%.4f"))</td></tr>\n"
    }
    return h + "</tbody>\n</table>\n"
  }

  func card(_ r: FeatureResult) -> String {
    var h = "<article class=\"feature-card\" id=\"f\(r.index)\">\n"
    h += "<h2>Feature \(r.index): <span class=\"explanation\">"
    h += r.interpretable ? XMLText.escaped(r.explanation) : "<em>not interpretable (\(r.records) records)</em>"
    h += "</span></h2>\n<p class=\"stats\">score \(number(r.score, "%.3f"))"
    if r.interpretable { h += " (\(r.yes) yes of \(r.tested); \(r.nonYesNo) neither yes nor no)" }
    h += " · firing rate \(number(r.firingRate, "%.4f")) · \(r.records) records</p>\n"
    if let records {
      let list = records.records[r.index]
      let shown = r.interpretable ? r.explainedWith + r.tested : list.count
      h += "<ol class=\"contexts\">\n"
      for (i, record) in list.prefix(shown).enumerated() {
        let testIndex = i - r.explainedWith
        let role = !r.interpretable || testIndex < 0 ? "explain" : "test"
        var answer = ""
        var verdictClass = ""
        if role == "test", testIndex < r.answers.count {
          let a = r.answers[testIndex]
          verdictClass = ComSem.verdict(a) == .yes ? " yes" : " no"
          answer = " <span class=\"answer\">\(XMLText.escaped(a.isEmpty ? "(empty)" : a))</span>"
        }
        h += "<li class=\"\(role)\(verdictClass)\">\(context(record, in: records))"
        h += " <span class=\"score\">\(String(format: "%.3g", record.score))</span>\(answer)</li>\n"
      }
      h += "</ol>\n"
    }
    return h + "</article>\n"
  }

  /// The record's sentence (its tokens around it) with the token marked.
  func context(_ record: ActivationRecord, in records: ActivationRecords) -> String {
    let tokens = records.documents[record.document].tokens
    let p = record.position
    let low = max(0, p - Self.contextTokens)
    let high = min(tokens.count, p + Self.contextTokens + 1)
    var h = low > 0 ? "…" : ""
    h += XMLText.escaped(tokens[low..<p].joined())
    h += "<mark>\(XMLText.escaped(tokens[p]))</mark>"
    h += XMLText.escaped(tokens[(p + 1)..<high].joined())
    return h + (high < tokens.count ? "…" : "")
  }

  static let css = """
    body{font:14px/1.45 system-ui,sans-serif;margin:1.5em auto;max-width:1100px;padding:0 1em;color:#222}
    h1{font-size:1.4em}h2{font-size:1.1em;margin:.2em 0}code{font-size:.95em}
    table{border-collapse:collapse;width:100%;margin:1em 0}th,td{border-bottom:1px solid #ddd;padding:.25em .5em;text-align:left}
    th[data-key]{cursor:pointer;user-select:none}th[data-key]:hover{background:#eef}
    th.asc::after{content:" ▲"}th.desc::after{content:" ▼"}
    .feature-card{border:1px solid #ccc;border-radius:6px;padding:.6em 1em;margin:1em 0}
    .stats{color:#555;margin:.2em 0}.contexts{margin:.3em 0;padding-left:1.6em}
    .contexts li{margin:.15em 0}.contexts li.test{color:#333}
    mark{background:#ffd54f;padding:0 1px;border-radius:2px;white-space:pre}
    .score{color:#888;font-size:.85em}.answer{font-weight:600;margin-left:.4em}
    li.yes .answer{color:#1b7f3b}li.no .answer{color:#b3261e}li.explain{color:#000}
    .links a{margin-right:.3em}
    """

  static let script = """
    (function(){
    var table=document.getElementById("index");
    var body=table.tBodies[0];
    function value(row,key){var v=row.getAttribute("data-"+key);return v===""?null:parseFloat(v);}
    function sortBy(key,descending){
      var rows=Array.prototype.slice.call(body.rows);
      rows.sort(function(a,b){
        var x=value(a,key),y=value(b,key);
        if(x===null&&y===null)return value(a,"index")-value(b,"index");
        if(x===null)return 1;if(y===null)return -1;
        if(x===y)return value(a,"index")-value(b,"index");
        return descending?y-x:x-y;});
      rows.forEach(function(r){body.appendChild(r);});
      Array.prototype.forEach.call(table.tHead.rows[0].cells,function(c){
        c.classList.remove("asc","desc");
        if(c.getAttribute("data-key")===key)c.classList.add(descending?"desc":"asc");});
    }
    Array.prototype.forEach.call(table.tHead.rows[0].cells,function(c){
      var key=c.getAttribute("data-key");if(!key)return;
      c.addEventListener("click",function(){sortBy(key,!c.classList.contains("desc"));});
    });
    var m=/sort=(-?)(index|score|rate|density)/.exec(location.hash);
    if(m)sortBy(m[2],m[1]==="-");
    document.body.setAttribute("data-ready","yes");
    })();
    """

  /// Writes `index.html` into `directory` (created if needed).
  ///
  /// - Throws: ``InterpretError/writeFailed(file:reason:)``.
  public func write(to directory: URL) throws(InterpretError) {
    let url = directory.appendingPathComponent(Self.pageName)
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      try Data(html().utf8).write(to: url, options: .atomic)
    } catch {
      throw .writeFailed(file: url.path, reason: error.localizedDescription)
    }
  }
}
