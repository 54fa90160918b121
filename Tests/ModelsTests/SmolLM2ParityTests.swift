import Checkpoints
import Foundation
import HookPoints
import Models
import TensorCore
import TestSupport
import Testing

/// The default model (SmolLM2-135M-Instruct, Q4_1 GGUF) against transformers loading the same
/// file (`scripts/make_smollm2_fixtures.py`). Runs when `make setup` has fetched the model.
@Suite struct SmolLM2ParityTests {
  static let modelFile = Fixtures.defaultModelFile
  static let available = Fixtures.defaultModelAvailable

  /// Bound on `max |ours − ref| / max |ref|` per hook tensor (the measure).
  static let relativeToMax: Float = 1e-3
  /// Bound on each token's `‖ours − ref‖ / ‖ref‖`; stricter on ordinary tokens, since the
  /// first token's massive activation (norm ≈ 22,000) dominates any max-based measure.
  static let rowRelativeL2: Float = 1e-3

  @Test(
    .enabled(if: available, Comment(rawValue: Fixtures.defaultModelMissing)))
  func hooksMatchTransformers() throws {
    let model = try LlamaModel.load(from: Self.modelFile)
    let golden = try SafetensorsFile(Fixtures.model("smollm2/golden.safetensors"))
    let layers = (golden.metadata["layers"] ?? "").split(separator: ",").compactMap { Int($0) }
    let count = Int(golden.metadata["sequences"] ?? "") ?? 0
    #expect(count == 4 && layers == [0, 14, 29])
    let batch = try (0..<count).map { try golden.int32s("s\($0).token_ids") }
    var points: [HookPoint] = [.finalNorm]
    for l in layers { points += [.residualPre(layer: l), .mlpInput(layer: l)] }
    var recorder = ActivationRecorder(points)
    try model.forward(
      batch: batch, state: LlamaRunState(configuration: model.configuration), hooks: &recorder,
      context: ComputeContext())

    let d = model.configuration.hiddenSize
    for point in points {
      var worstMax: Float = 0
      var worstRow: Float = 0
      for s in 0..<count {
        let expected = try golden.floats("s\(s).\(point.name)")
        let actual = try #require(recorder.values(point, sequence: s))
        let scale = expected.map(abs).max() ?? 1
        worstMax = max(worstMax, maxAbsDiff(actual, expected) / scale)
        for r in 0..<(expected.count / d) {
          var diff: Float = 0
          var norm: Float = 0
          for i in (r * d)..<((r + 1) * d) {
            diff += (actual[i] - expected[i]) * (actual[i] - expected[i])
            norm += expected[i] * expected[i]
          }
          worstRow = max(worstRow, (diff / max(norm, 1e-12)).squareRoot())
        }
      }
      print("[smollm2 parity] \(point.name): max|Δ|/max|ref| = \(worstMax), worst row ‖Δ‖/‖ref‖ = \(worstRow)")
      #expect(worstMax <= Self.relativeToMax, "\(point.name): \(worstMax)")
      #expect(worstRow <= Self.rowRelativeL2, "\(point.name): \(worstRow)")
    }
  }

  @Test(.enabled(if: available, Comment(rawValue: Fixtures.defaultModelMissing)))
  func referencePointFromMachineNotes() throws {
    // transformers: hidden_states[15][0, -1, :4] for this prompt's 16 tokens.
    let model = try LlamaModel.load(from: Self.modelFile)
    let ids: [Int32] = [6403, 1980, 253, 655, 28, 665, 436, 253, 1838, 2767, 3365, 7625, 30, 909, 16686, 288]
    var recorder = ActivationRecorder([HookPoint.residualPre(layer: 15)])
    try model.forward(
      batch: [ids], state: LlamaRunState(configuration: model.configuration), hooks: &recorder,
      context: ComputeContext())
    let values = try #require(recorder.values[.residualPre(layer: 15)])
    let last = Array(values[(15 * 576)..<(15 * 576 + 4)])
    #expect(maxAbsDiff(last, [3.8305, -0.9168, 4.1229, 8.6446]) <= 1e-3, "\(last)")
  }
}
