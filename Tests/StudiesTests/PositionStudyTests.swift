import Corpora
import Extraction
import FeatureSets
import Foundation
import HookPoints
import Models
import Plots
import Studies
import TensorCore
import TestSupport
import Testing
import Tokenizers

/// The position study on the tiny model: rows grouped by position equal the states of a naive
/// per-document forward, the sample of a large group is seeded and bounded, documents are read
/// from their first token, and bad input is refused with errors naming the value.
@Suite struct PositionStudyTests {
  static let modelURL = Fixtures.model("tiny-extract")
  static let points: [HookPoint] = [.residualPost(layer: 0), .mlpOutput(layer: 1)]

  let model: LlamaModel
  let tokenizer: any Tokenizer

  init() throws {
    model = try LlamaModel.load(from: Self.modelURL)
    tokenizer = try TokenizerLoader.load(modelPath: Self.modelURL)
  }

  /// Windows of 12, 5, 9, 3, 16, 1 and 25 tokens with seeded ids.
  func windows() -> [[Int32]] {
    var random = SeededRandom(seed: 11)
    return [12, 5, 9, 3, 16, 1, 25].map { n in
      (0..<n).map { _ in Int32(random.integer(below: model.configuration.vocabularySize)) }
    }
  }

  /// Every row of every point for one window run alone.
  func naiveStates(_ window: [Int32]) throws -> [HookPoint: Matrix] {
    var recorder = AllRowsRecorder(points: Set(Self.points))
    try model.forward(
      batch: [window], state: LlamaRunState(configuration: model.configuration), hooks: &recorder,
      context: ComputeContext(threads: 1))
    return recorder.states
  }

  @Test func theDefaultGroupsArePowersOfTwoThenTheLastPosition() {
    #expect(PositionGroup.powersOfTwo(context: 64).map(\.first) == [0, 1, 2, 4, 8, 16, 32, 63])
    #expect(PositionGroup.powersOfTwo(context: 65).map(\.first) == [0, 1, 2, 4, 8, 16, 32, 64])
    #expect(PositionGroup.powersOfTwo(context: 1) == [PositionGroup(0)])
    #expect(PositionGroup.powersOfTwo(context: 3).allSatisfy { $0.first == $0.last })
    #expect(PositionGroup(8, 15).description == "8-15" && PositionGroup(7).description == "7")
  }

  @Test func aPlanHoldsEveryPositionEachDocumentReaches() {
    let groups = [PositionGroup(0), PositionGroup(1), PositionGroup(2, 3), PositionGroup(4, 7), PositionGroup(8, 15)]
    let lengths = windows().map(\.count)
    let plan = PositionStates.plan(windowLengths: lengths, groups: groups, rowsPerGroup: 1000, seed: 0)
    for (group, rows) in zip(groups, plan) {
      var expected: [PositionRow] = []
      for (d, n) in lengths.enumerated() {
        for p in group.positions where p < n { expected.append(PositionRow(document: d, position: p)) }
      }
      #expect(rows == expected, "group \(group)")
    }
    #expect(plan[0].count == 7 && plan[1].count == 6 && plan[4].count == 4 + 1 + 8 + 8)
  }

  @Test func aLargeGroupKeepsASeededSortedSample() {
    let lengths = [40, 40, 40, 40]
    let groups = [PositionGroup(0), PositionGroup(8, 31)]
    let a = PositionStates.plan(windowLengths: lengths, groups: groups, rowsPerGroup: 10, seed: 3)
    let again = PositionStates.plan(windowLengths: lengths, groups: groups, rowsPerGroup: 10, seed: 3)
    let other = PositionStates.plan(windowLengths: lengths, groups: groups, rowsPerGroup: 10, seed: 4)
    #expect(a == again)
    #expect(a[1] != other[1])
    #expect(a[0].count == 4, "a group within the cap keeps every row")
    #expect(a[1].count == 10 && Set(a[1]).count == 10)
    #expect(a[1] == a[1].sorted { ($0.document, $0.position) < ($1.document, $1.position) })
    #expect(a[1].allSatisfy { (8...31).contains($0.position) })
  }

  /// Packed batches (of at most 20 tokens, so several, and a longer window alone) give the
  /// states of each window run by itself, row for row.
  @Test func groupedStatesEqualANaivePerDocumentForward() throws {
    let windows = windows()
    let groups = [PositionGroup(0), PositionGroup(1), PositionGroup(2, 3), PositionGroup(4, 7), PositionGroup(8, 15)]
    let plan = PositionStates.plan(windowLengths: windows.map(\.count), groups: groups, rowsPerGroup: 1000, seed: 0)
    var batches = 0
    let states = try PositionStates(
      model: model, windows: windows, rows: plan, points: Self.points, batchTokens: 20,
      context: ComputeContext(threads: 1)
    ) { _ in batches += 1 }
    #expect(batches == 4, "12+5 | 9+3 | 16+1 | 25: packed up to 20 tokens")
    #expect(states.rows == plan)
    let naive = try windows.map(naiveStates)
    let d = model.configuration.hiddenSize
    for point in Self.points {
      let grouped = try #require(states.states[point])
      #expect(grouped.count == groups.count)
      for (g, rows) in plan.enumerated() {
        #expect(grouped[g].rows == rows.count && grouped[g].columns == d)
        var expected: [Float] = []
        for row in rows { expected += naive[row.document][point]!.row(row.position) }
        let c = closeness(grouped[g].values, expected)
        #expect(c.maxDiff <= 1e-5, "\(point.name) group \(groups[g]): \(c)")
      }
    }
  }

  func study(_ configure: (inout PositionStudyOptions) -> Void) -> PositionStudy {
    var options = PositionStudyOptions()
    options.context = 16
    options.groups = [PositionGroup(0), PositionGroup(1), PositionGroup(2, 3), PositionGroup(4, 7)]
    options.documents = 5
    options.fit.steps = 20
    configure(&options)
    return PositionStudy(model: model, modelName: "tiny-extract", tokenizer: tokenizer, options: options)
  }

  /// A corpus of one-line documents: short ones (under 8 tokens) between long ones.
  static func corpus(in scratch: ScratchDirectory) throws -> String {
    let lines = [
      "The cat sat on the mat and looked out.", "Hi.", "A long sentence about the weather today.", "No.",
      "Another fairly long line of plain words.", "Yes, it is a long line of text here.", "Ok.",
      "Last of the long lines in this small file.", "The end of the corpus comes here at last.",
    ]
    return try scratch.write("corpus.txt", lines.joined(separator: "\n") + "\n")
  }

  @Test func documentsAreFirstWindowsOfLongEnoughDocuments() throws {
    let scratch = try ScratchDirectory("positions")
    let path = try Self.corpus(in: scratch)
    var corpus = try Corpus(path: path)
    let read = try study { _ in }.documents(from: &corpus)
    #expect(read.windows.count == 5)
    #expect(read.documentsRead == 8, "three short lines passed over before the fifth long one")
    let cutter = try WindowCutter(tokenizer: tokenizer, context: 16, policy: .auto)
    let again = try Corpus(path: path)
    var expected: [[Int32]] = []
    while expected.count < 5, let document = try again.next() {
      let window = cutter.windows(of: try tokenizer.encodeIDs(document.text))[0]
      if window.count >= 8 { expected.append(window) }
    }
    #expect(read.windows == expected)
    #expect(read.windows.allSatisfy { $0.count >= 8 && $0.count <= 16 })

    var everything = try Corpus(path: path)
    let all = try study {
      $0.minTokens = 1
      $0.documents = 100
    }.documents(from: &everything)
    #expect(all.windows.count == 9 && all.documentsRead == 9)
  }

  @Test func aStudyFitsOneBAEPerLayerAndGroup() throws {
    let scratch = try ScratchDirectory("positions")
    var corpus = try Corpus(path: try Self.corpus(in: scratch))
    let study = study { _ in }
    let documents = try study.documents(from: &corpus)
    let result = try study.run(documents: documents, corpus: ["corpus.txt"], context: ComputeContext(threads: 2))
    #expect(result.trace.cells.count == 2 * 4)
    #expect(result.trace.cells.map(\.layer) == [0, 0, 0, 0, 1, 1, 1, 1])
    #expect(result.trace.cells.map(\.group) == [0, 1, 2, 4, 0, 1, 2, 4])
    #expect(result.trace.cells.map(\.rows) == [5, 5, 10, 20, 5, 5, 10, 20])
    #expect(result.trace.cells.allSatisfy { $0.hook.hasSuffix("hook_resid_post") && $0.entropy.meanBits.isFinite })
    #expect(result.options.minTokens == 8 && result.options.groups?.count == 4)
    #expect(result.documentsUsed == 5 && result.documentsRead == 8)

    let table = result.trace.table(groupColumn: "position")
    #expect(table.rows.count == 8)
    let chart = result.trace.byGroup(title: "t", groupAxis: Axis("token position"))
    let svg = try XMLTree(chart.svg())
    #expect(svg.elements(named: "path").count == 2, "one line per layer")

    let json = try JSONDecoder().decode(PositionStudyResult.self, from: try StudyJSON.encode(result))
    #expect(json == result)
  }

  @Test func badInputIsRefusedWithTheValueAtFault() throws {
    let scratch = try ScratchDirectory("positions")
    let long = try Self.corpus(in: scratch)
    // 3, 3, 8 and 3 tokens: only one document reaches position 4.
    let short = try scratch.write("short.txt", "Hi.\nNo.\nHello there.\nOk.\n")
    func error(_ path: String? = nil, _ configure: (inout PositionStudyOptions) -> Void) throws -> PositionStudyError? {
      var corpus = try Corpus(path: path ?? long)
      let study = study(configure)
      do {
        let documents = try study.documents(from: &corpus)
        _ = try study.run(documents: documents, context: ComputeContext(threads: 1))
      } catch let error as PositionStudyError {
        return error
      }
      return nil
    }
    #expect(
      try error { $0.groups = [PositionGroup(0), PositionGroup(20)] }
        == .groupBeyondContext(PositionGroup(20), context: 16))
    #expect(
      try error { $0.groups = [PositionGroup(0, 4), PositionGroup(3)] }
        == .groupsOverlap(PositionGroup(0, 4), PositionGroup(3)))
    #expect(
      try error { $0.groups = [PositionGroup(4), PositionGroup(2)] }
        == .groupsOverlap(PositionGroup(4), PositionGroup(2)))
    #expect(try error { $0.groups = [] } == .noGroups)
    #expect(try error { $0.layers = [0, 2] } == .layers(.layerOutOfRange(layer: 2, layerCount: 2)))
    #expect(try error { $0.site = .logits } == .layers(.siteWithoutLayer(.logits)))
    #expect(
      try error { $0.minTokens = 20 }
        == .invalidOption(key: "min_tokens", reason: "must be in 1…16 (the context), got 20"))
    #expect(try error { $0.rowsPerGroup = 1 }.map { "\($0)".contains("rows_per_group") } == true)
    #expect(try error(short) { $0.minTokens = 9 } == .noDocuments(minTokens: 9, documentsRead: 4))
    let few = try #require(
      try error(short) {
        $0.minTokens = 1
        $0.groups = [PositionGroup(0), PositionGroup(4)]
      })
    #expect(few == .tooFewRows(PositionGroup(4), rows: 1, documents: 4))
    #expect("\(few)".contains("position group 4 holds 1 state from 4 documents"), "\(few)")
    #expect(
      try error(short) {
        $0.minTokens = 1
        $0.groups = [PositionGroup(0), PositionGroup(2)]
      } == nil)
  }
}

/// Copies every row of the points it reads.
private struct AllRowsRecorder: ForwardHook {
  let points: Set<HookPoint>
  var states: [HookPoint: Matrix] = [:]

  mutating func visit(_ point: HookPoint, _ activations: ActivationView) throws {
    states[point] = Matrix(rows: activations.rows, columns: activations.width, values: Array(activations.values))
  }
}
