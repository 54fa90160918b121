import Checkpoints
import Foundation
import HookPoints
import Models
import TensorCore
import TestSupport
import Testing

/// Every hook point of the Swift forward pass against transformers' `LlamaForCausalLM`, on the
/// tiny random checkpoints of `scripts/make_fixtures.py` (GQA + llama3 RoPE in F32; MQA + tied
/// embeddings in BF16 with the old config spelling; head_dim ≠ d/heads + linear RoPE in F16,
/// sharded). All five golden sequences run as one packed batch of unequal lengths.
@Suite struct ForwardParityTests {
  /// Maximum absolute difference allowed at any hook, in f32.
  static let tolerance: Float = 1e-4

  @Test(arguments: ["tiny-llama3-gqa", "tiny-tied-mqa", "tiny-linear-sharded"])
  func everyHookMatchesTransformers(model name: String) throws {
    let model = try LlamaModel.load(from: Fixtures.model(name))
    let golden = try SafetensorsFile(Fixtures.golden(name))
    let sequenceCount = Int(golden.metadata["sequences"] ?? "") ?? 0
    #expect(sequenceCount == 5)
    let batch = try (0..<sequenceCount).map { try golden.int32s("s\($0).token_ids") }

    let c = model.configuration
    var points: [HookPoint] = [.finalNorm, .logits]
    for l in 0..<c.layerCount {
      points += [
        .residualPre(layer: l), .attentionOutput(layer: l), .residualMid(layer: l), .mlpInput(layer: l),
        .mlpOutput(layer: l), .residualPost(layer: l),
      ]
    }
    var recorder = ActivationRecorder(points)
    try model.forward(batch: batch, state: LlamaRunState(configuration: c), hooks: &recorder, context: ComputeContext())

    var worst: (diff: Float, hook: String) = (0, "")
    for point in points {
      for s in 0..<sequenceCount {
        let expected = try golden.floats("s\(s).\(point.name)")
        let actual = try #require(recorder.values(point, sequence: s))
        let result = closeness(actual, expected)
        #expect(
          result.maxDiff <= Self.tolerance, "\(name) sequence \(s) \(point.name): \(result)")
        if !(result.maxDiff <= worst.diff) { worst = (result.maxDiff, "s\(s).\(point.name)") }
      }
    }
    print(
      "[parity] \(name): max abs diff over \(points.count) hooks × \(sequenceCount) sequences = \(worst.diff) (at \(worst.hook))"
    )
  }

  /// Running each sequence alone gives the same values as the packed batch (packing leaks nothing).
  @Test func packedBatchEqualsSingleSequences() throws {
    let model = try LlamaModel.load(from: Fixtures.model("tiny-llama3-gqa"))
    let golden = try SafetensorsFile(Fixtures.golden("tiny-llama3-gqa"))
    let batch = try (0..<5).map { try golden.int32s("s\($0).token_ids") }
    let state = LlamaRunState(configuration: model.configuration)
    var together = ActivationRecorder([HookPoint.logits])
    try model.forward(batch: batch, state: state, hooks: &together, context: ComputeContext())
    for (s, sequence) in batch.enumerated() {
      var alone = ActivationRecorder([HookPoint.logits])
      try model.forward(batch: [sequence], state: state, hooks: &alone, context: ComputeContext())
      let diff = maxAbsDiff(try #require(alone.values[.logits]), try #require(together.values(.logits, sequence: s)))
      #expect(diff <= 1e-5, "sequence \(s): packed vs alone differ by \(diff)")
    }
  }

  /// A hook on an early layer stops the pass there: later buffers are never touched and the
  /// requested values still match.
  @Test func earlyStopGivesSameValues() throws {
    let model = try LlamaModel.load(from: Fixtures.model("tiny-llama3-gqa"))
    let golden = try SafetensorsFile(Fixtures.golden("tiny-llama3-gqa"))
    let tokens = try golden.int32s("s3.token_ids")
    var recorder = ActivationRecorder([HookPoint.residualPost(layer: 0)])
    try model.forward(
      batch: [tokens], state: LlamaRunState(configuration: model.configuration), hooks: &recorder,
      context: ComputeContext())
    let expected = try golden.floats("s3.blocks.0.hook_resid_post")
    #expect(maxAbsDiff(try #require(recorder.values[.residualPost(layer: 0)]), expected) <= Self.tolerance)
  }
}
