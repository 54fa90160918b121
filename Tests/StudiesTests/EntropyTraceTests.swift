import Foundation
import Studies
import TestSupport
import Testing

@Suite struct EntropyTraceTests {
  static func spread(_ bits: [Double]) -> EntropySpread {
    var s = try! JSONDecoder().decode(
      EntropySpread.self,
      from: Data(
        #"{"mean_bits":0,"std_bits":0,"bits":[],"max_abs_correlation":0.1,"pairwise_mutual_information_bits":0.2,"fvu":0.5,"distinct_bits":0}"#
          .utf8))
    s.bits = bits
    s.meanBits = bits.reduce(0, +) / Double(bits.count)
    s.stdBits = 0.5.squareRoot()  // of two values one apart
    s.distinctBits = s.meanBits
    return s
  }

  static let trace = EntropyTrace(
    cells: [0, 1, 2].flatMap { layer in
      [0, 4, 8].map { k in
        EntropyTraceCell(
          layer: layer, hook: "blocks.\(layer).hook_resid_post", group: k, rows: 64,
          entropy: spread([Double(10 - k + layer), Double(11 - k + layer)]))
      }
    })

  @Test func csvHasOneRowPerCellWithTheExtraColumns() {
    let table = Self.trace.table(groupColumn: "k", extra: [("accuracy", { CSVTable.number(Double($0.group) / 10) })])
    let lines = table.text.split(separator: "\n")
    #expect(lines.count == 1 + 9)
    #expect(
      lines[0]
        == "layer,hook,k,rows,entropy_bits,entropy_std_bits,seeds,max_abs_correlation,pairwise_mi_bits,fvu,distinct_bits,accuracy"
    )
    #expect(lines[1] == "0,blocks.0.hook_resid_post,0,64,10.5,0.7071067811865476,2,0.1,0.2,0.5,10.5,0.0")
  }

  @Test func chartByLayerHasOnePathPerGroupAndParses() throws {
    let svg = Self.trace.byLayer(title: "model · sst2") { "k = \($0)" }.svg()
    let tree = try XMLTree(svg)
    #expect(tree.elements(withClass: "series").count == 3, "one line per k")
    for k in [0, 4, 8] { #expect(svg.contains("k = \(k)")) }
    #expect(svg.contains("model · sst2") && svg.contains("layer") && svg.contains("bits"))
  }

  @Test func chartByGroupHasOnePathPerLayer() throws {
    let svg = Self.trace.byGroup(title: "positions", groupAxis: .init("token position")).svg()
    let tree = try XMLTree(svg)
    #expect(tree.elements(withClass: "series").count == 3, "one line per layer")
  }

  @Test func jsonRoundTrips() throws {
    let data = try StudyJSON.encode(Self.trace)
    #expect(try JSONDecoder().decode(EntropyTrace.self, from: data) == Self.trace)
  }
}
