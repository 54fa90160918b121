import Checkpoints
import Foundation
import HookPoints
import Models
import TensorCore
import TestSupport
import Testing

/// Hooks that replace activations: an edit at a point changes everything computed after it and
/// nothing before, and an edit that writes back what it found changes nothing at all.
@Suite struct ForwardEditTests {
  /// Every point of the tiny model, in execution order.
  static func allPoints(_ c: LlamaConfiguration) -> [HookPoint] {
    (0..<c.layerCount).flatMap { l in
      [
        HookPoint.residualPre(layer: l), .attentionOutput(layer: l), .residualMid(layer: l), .mlpInput(layer: l),
        .mlpOutput(layer: l), .residualPost(layer: l),
      ]
    } + [.finalNorm, .logits]
  }

  /// Reads `points` and rewrites `edits` with `replace` (which gets the point, its current
  /// values and the width), counting the edit calls.
  struct EditingHook: ForwardHook {
    let points: Set<HookPoint>
    let editedPoints: Set<HookPoint>
    let replace: (HookPoint, [Float], Int) -> [Float]
    var values: [HookPoint: [Float]] = [:]
    var editCalls: [HookPoint] = []

    init(
      reading points: [HookPoint], editing edits: [HookPoint], _ replace: @escaping (HookPoint, [Float], Int) -> [Float]
    ) {
      self.points = Set(points)
      self.editedPoints = Set(edits)
      self.replace = replace
    }

    mutating func visit(_ point: HookPoint, _ activations: ActivationView) throws {
      values[point] = Array(activations.values)
    }

    mutating func edit(_ point: HookPoint, _ activations: MutableActivationView) throws {
      editCalls.append(point)
      let new = replace(point, Array(activations.values), activations.width)
      precondition(new.count == activations.values.count)
      for i in new.indices { activations.values[i] = new[i] }
    }
  }

  let model: LlamaModel
  let batch: [[Int32]]

  init() throws {
    model = try LlamaModel.load(from: Fixtures.model("tiny-llama3-gqa"))
    let golden = try SafetensorsFile(Fixtures.golden("tiny-llama3-gqa"))
    batch = try (0..<3).map { try golden.int32s("s\($0).token_ids") }
  }

  func run(_ hook: inout some ForwardHook) throws {
    try model.forward(
      batch: batch, state: LlamaRunState(configuration: model.configuration), hooks: &hook,
      context: ComputeContext(threads: 2))
  }

  func clean() throws -> [HookPoint: [Float]] {
    var recorder = ActivationRecorder(Self.allPoints(model.configuration))
    try run(&recorder)
    return recorder.values
  }

  @Test func identityEditsAtEveryPointGiveBitIdenticalActivations() throws {
    let points = Self.allPoints(model.configuration)
    let reference = try clean()
    var hook = EditingHook(reading: points, editing: points) { _, values, _ in values }
    try run(&hook)
    #expect(hook.editCalls == points, "each edited point once, in execution order")
    for point in points { #expect(hook.values[point] == reference[point], "\(point)") }
  }

  /// The logits after replacing the last residual stream are the LM head of the final RMSNorm
  /// of the replacement, computed here naively in Double.
  @Test(arguments: ["zeros", "random"])
  func replacingTheLastResidualGivesTheHeadOfItsNorm(replacement: String) throws {
    let c = model.configuration
    let (d, vocabulary) = (c.hiddenSize, c.vocabularySize)
    let rows = batch.map(\.count).reduce(0, +)
    var random = SeededRandom(seed: 7)
    let values = replacement == "zeros" ? [Float](repeating: 0, count: rows * d) : random.floats(rows * d, scale: 3)
    var hook = EditingHook(reading: [.logits], editing: [.residualPost(layer: c.layerCount - 1)]) { _, _, _ in values }
    try run(&hook)
    let logits = try #require(hook.values[.logits])

    let head = model.weights.lmHead ?? model.weights.tokenEmbedding
    let gain = model.weights.finalNorm
    var expected = [Float](repeating: 0, count: rows * vocabulary)
    for r in 0..<rows {
      let x = values[(r * d)..<((r + 1) * d)].map(Double.init)
      let scale = 1 / (x.reduce(0) { $0 + $1 * $1 } / Double(d) + Double(c.rmsNormEpsilon)).squareRoot()
      let normed = (0..<d).map { x[$0] * scale * Double(gain[$0]) }
      for v in 0..<vocabulary {
        var sum = 0.0
        for i in 0..<d { sum += normed[i] * Double(head[v * d + i]) }
        expected[r * vocabulary + v] = Float(sum)
      }
    }
    if replacement == "zeros" { #expect(expected.allSatisfy { $0 == 0 }) }
    let diff = closeness(logits, expected)
    #expect(diff.maxDiff <= 1e-4, "\(diff)")
  }

  /// An edit at `mlp_out` of layer 1: every point before it is bit-identical to the clean pass,
  /// the edited point reads back as the replacement, and every later point differs.
  @Test func anEditChangesLaterPointsOnly() throws {
    let points = Self.allPoints(model.configuration)
    let reference = try clean()
    let edited = HookPoint.mlpOutput(layer: 1)
    var hook = EditingHook(reading: points, editing: [edited]) { _, values, _ in values.map { $0 + 0.25 } }
    try run(&hook)
    let index = points.firstIndex(of: edited)!
    for point in points[..<index] { #expect(hook.values[point] == reference[point], "\(point) is before the edit") }
    #expect(hook.values[edited] == reference[edited]!.map { $0 + 0.25 }, "a reader sees the replacement")
    for point in points[(index + 1)...] {
      let diff = maxAbsDiff(try #require(hook.values[point]), reference[point]!)
      #expect(diff > 1e-3, "\(point) comes after the edit (maxdiff \(diff))")
    }
  }

  /// Replacing a block output replaces it before the residual add: zero attention output
  /// leaves `resid_mid` equal to `resid_pre`; zero MLP output, `resid_post` equal to `resid_mid`.
  @Test func blockOutputsAreReplacedBeforeTheResidualAdd() throws {
    let zero: (HookPoint, [Float], Int) -> [Float] = { _, values, _ in [Float](repeating: 0, count: values.count) }
    var hook = EditingHook(
      reading: [.residualPre(layer: 1), .residualMid(layer: 1), .residualPost(layer: 1), .residualPost(layer: 2)],
      editing: [.attentionOutput(layer: 1), .mlpOutput(layer: 1)], zero)
    try run(&hook)
    #expect(hook.values[.residualMid(layer: 1)] == hook.values[.residualPre(layer: 1)])
    #expect(hook.values[.residualPost(layer: 1)] == hook.values[.residualMid(layer: 1)])

    // Editing the MLP input changes the MLP output but not the residual stream it came from.
    let reference = try clean()
    var mlpIn = EditingHook(
      reading: [.residualMid(layer: 0), .mlpOutput(layer: 0)], editing: [.mlpInput(layer: 0)], zero)
    try run(&mlpIn)
    #expect(mlpIn.values[.residualMid(layer: 0)] == reference[.residualMid(layer: 0)])
    // SwiGLU of zero is zero, and the down projection of zero is zero.
    #expect(mlpIn.values[.mlpOutput(layer: 0)]!.allSatisfy { $0 == 0 })
  }

  /// The pass runs as far as the last edited point even when nothing after it is read, and an
  /// edit before the last read point reaches it.
  @Test func thePassReachesEveryEditedPoint() throws {
    var editOnly = EditingHook(reading: [], editing: [.residualPost(layer: 2)]) { _, values, _ in values }
    try run(&editOnly)
    #expect(editOnly.editCalls == [.residualPost(layer: 2)])

    let reference = try clean()
    var early = EditingHook(reading: [.logits], editing: [.residualPre(layer: 0)]) { _, values, _ in
      values.map { $0 * 2 }
    }
    try run(&early)
    #expect(maxAbsDiff(try #require(early.values[.logits]), reference[.logits]!) > 1e-3)
  }

  /// An error thrown by an edit stops the pass and reaches the caller.
  @Test func anEditErrorStopsThePass() throws {
    struct Refusing: ForwardHook {
      struct Refused: Error {}
      let points: Set<HookPoint> = [.logits]
      let editedPoints: Set<HookPoint> = [.residualMid(layer: 0)]
      var visited = false
      mutating func visit(_ point: HookPoint, _ activations: ActivationView) throws { visited = true }
      mutating func edit(_ point: HookPoint, _ activations: MutableActivationView) throws { throw Refused() }
    }
    var hook = Refusing()
    #expect(throws: Refusing.Refused.self) { try run(&hook) }
    #expect(!hook.visited)
  }
}
