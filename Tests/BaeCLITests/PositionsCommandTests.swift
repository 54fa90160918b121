import Foundation
import TestSupport
import Testing

/// `bae positions` end to end on the tiny model: the JSON object, the files of `--out` (one CSV
/// row per layer and position group, an SVG with one line per layer), the summary table, and
/// errors that name the bad value.
@Suite struct PositionsCommandTests {
  static let model = Fixtures.model("tiny-extract").path
  static let corpus = repositoryRoot.appendingPathComponent("corpora/bookcorpus-sample.txt.gz").path
  static let quick = ["--model", model, "--context", "16", "--fit-steps", "20", "--threads", "1"]

  static func object(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }

  @Test func aRunWritesTheTraceAsJSONCSVAndSVG() throws {
    let scratch = try ScratchDirectory("cli-positions")
    let result = try runBae(
      ["positions", "--corpus", Self.corpus, "--documents", "6", "--json", "--out", scratch.path("out")] + Self.quick)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.split(separator: "\n").count == 1, "one JSON object on one line")
    let json = try Self.object(result.stdout)
    #expect(json["model"] as? String == "tiny-extract")
    #expect(json["documents_used"] as? Int == 6)
    let options = try #require(json["options"] as? [String: Any])
    let positions = try #require(options["positions"] as? [[String: Int]])
    #expect(positions.map { $0["first"]! } == [0, 1, 2, 4, 8, 15], "powers of two, then the window's last position")
    #expect(options["min_tokens"] as? Int == 16)
    #expect((options["fit"] as? [String: Any])?["steps"] as? Int == 20)
    let cells = try #require((json["trace"] as? [String: Any])?["cells"] as? [[String: Any]])
    #expect(cells.count == 2 * 6)
    #expect(cells.allSatisfy { $0["rows"] as? Int == 6 })

    let written = try Self.object(try String(contentsOf: scratch.url("out/positions.json"), encoding: .utf8))
    #expect((written["trace"] as? NSDictionary) == (json["trace"] as? NSDictionary))
    let csv = try String(contentsOf: scratch.url("out/positions.csv"), encoding: .utf8).split(separator: "\n")
    #expect(csv.count == 1 + 2 * 6, "a header, then one row per (layer, group)")
    #expect(csv[0].hasPrefix("layer,hook,position,rows,entropy_bits,") && csv[0].hasSuffix(",last_position"))
    #expect(csv[1].hasPrefix("0,blocks.0.hook_resid_post,0,6,"))
    let svg = try XMLTree(try String(contentsOf: scratch.url("out/positions.svg"), encoding: .utf8))
    #expect(svg.root?.name == "svg")
    let lines = svg.elements(named: "path")
    #expect(lines.map { $0.attributeValue("data-series") } == ["layer 0", "layer 1"])
    #expect(svg.all.contains { $0.stringValue == "token position" })
  }

  @Test func theSummaryIsATableOfLayersByPosition() throws {
    let result = try runBae(
      [
        "positions", "--corpus", Self.corpus, "--documents", "5", "--positions", "0,1,2-3,4-7", "--layers", "1",
        "--rows-per-group", "8",
      ] + Self.quick)
    #expect(result.status == 0, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n").map(String.init)
    #expect(lines[0].contains("tiny-extract") && lines[0].contains("5 documents"), "\(result.stdout)")
    #expect(lines[1].split(separator: " ") == ["layer", "0", "1", "2-3", "4-7"], "\(result.stdout)")
    #expect(lines[2].hasPrefix("1 "), "\(result.stdout)")
    #expect(lines[3].split(separator: " ") == ["rows", "5", "5", "8", "8"], "a range group keeps a sample of 8")
    #expect(lines.last?.hasPrefix("read ") == true)
  }

  @Test func badInputIsRefusedNamingTheValue() throws {
    let scratch = try ScratchDirectory("cli-positions")
    let short = try scratch.write("short.txt", "Hi.\nNo.\nHello there.\nOk.\n")
    let cases: [([String], [String])] = [
      (["--corpus", Self.corpus, "--positions", "0,20"], ["position 20", "positions 0…15"]),
      (["--corpus", Self.corpus, "--positions", "4,2"], ["increasing order", "2 follows 4"]),
      (["--corpus", Self.corpus, "--positions", "0,x"], ["--positions"]),
      (["--corpus", Self.corpus, "--layers", "5"], ["layer 5 is outside the model's 0…1"]),
      (["--corpus", Self.corpus, "--min-tokens", "30"], ["--min-tokens must be in 1…16"]),
      (["--corpus", Self.corpus, "--rows-per-group", "1"], ["--rows-per-group must be at least 2"]),
      (["--corpus", Self.corpus, "--hook", "logits"], ["per-layer site"]),
      (["--positions", "0,1"], ["--corpus"]),
      (["--corpus", short], ["none of the 4 documents read has 16 tokens"]),
      (["--corpus", short, "--min-tokens", "1", "--positions", "0,4"], ["position group 4 holds 1 state"]),
    ]
    for (arguments, needles) in cases {
      let result = try runBae(["positions"] + arguments + Self.quick)
      #expect(result.status != 0, "\(arguments)")
      for needle in needles { #expect(result.stderr.contains(needle), "\(arguments): \(result.stderr)") }
    }
  }
}
