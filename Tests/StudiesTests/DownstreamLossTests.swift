import Autoencoders
import Foundation
import HookPoints
import Models
import Studies
import TensorCore
import TestSupport
import Testing

/// The downstream loss on the tiny model: a splice that writes back what it found gives exactly
/// the clean loss, a splice of zeros exactly the zero-ablation loss, and the cross-entropy
/// equals a naive recomputation from the logits.
@Suite struct DownstreamLossTests {
  static let hook = HookPoint.residualPost(layer: 0)

  let model: LlamaModel
  let batches: [[[Int32]]]

  init() throws {
    model = try LlamaModel.load(from: EvaluationFixtures.modelURL)
    batches = EvaluationFixtures.batches(vocabulary: model.configuration.vocabularySize)
  }

  var width: Int { model.configuration.hiddenSize }

  func options(keepFirst: Int = 1) -> DownstreamOptions {
    DownstreamOptions(keepFirst: keepFirst, activity: CodeActivity(binary: false), context: ComputeContext(threads: 2))
  }

  func evaluate(_ ae: Autoencoder, keepFirst: Int = 1) throws -> DownstreamLossResult {
    try DownstreamLoss.evaluate(
      model: model, autoencoder: ae, hooks: AutoencoderHooks(autoencoder: ae), batches: batches,
      options: options(keepFirst: keepFirst))
  }

  /// Runs every batch through one splice hook and returns its loss.
  func loss(_ replacement: SpliceReplacement?, hooks: AutoencoderHooks, keepFirst: Int = 1) throws -> LossSum {
    var hook = SpliceHook(
      hooks: hooks, replacement: replacement, keepFirst: keepFirst, width: width, context: ComputeContext(threads: 2))
    let state = LlamaRunState(configuration: model.configuration)
    for batch in batches {
      hook.batch = batch
      try model.forward(batch: batch, state: state, hooks: &hook, context: ComputeContext(threads: 2))
    }
    return hook.loss
  }

  @Test func aSpliceHookWritingTheIdentityGivesExactlyTheCleanLoss() throws {
    let hooks = AutoencoderHooks(input: Self.hook, output: Self.hook)
    let clean = try loss(nil, hooks: hooks)
    let identity = try loss(.identity, hooks: hooks)
    #expect(identity == clean)
    #expect(clean.count == 10 + 7 + 3 + 5 + 0, "positions 1…n−2 of windows of 12, 9, 5, 7 and 2 tokens")
  }

  @Test func anAutoencoderThatReproducesItsInputRecoversAllTheLoss() throws {
    let result = try evaluate(try EvaluationFixtures.identity(width: width, hook: Self.hook))
    #expect(result.splicedLoss == result.cleanLoss)
    #expect(result.lossIncrease == 0)
    #expect(result.lossRecovered == 1)
    #expect(result.lossRecoveredVsMeanAblation == 1)
    #expect(result.zeroAblationLoss > result.cleanLoss + 0.01, "zero-ablation must hurt for the test to mean anything")
    #expect(result.reconstruction.fractionOfVarianceUnexplained == 0)
    #expect(result.reconstruction.rows == 11 + 8 + 4 + 6 + 1)
    #expect(result.tokens == 30 && result.predictions == 25 && result.windows == 5)
  }

  @Test func anAutoencoderThatReconstructsZerosGivesExactlyTheZeroAblationLoss() throws {
    let result = try evaluate(try EvaluationFixtures.zero(width: width, hook: Self.hook))
    #expect(result.splicedLoss == result.zeroAblationLoss)
    #expect(result.lossRecovered == 0)
    let zeros = try loss(.zeros, hooks: AutoencoderHooks(input: Self.hook, output: Self.hook))
    #expect(zeros.mean == result.zeroAblationLoss)
  }

  /// A transcoder's reconstruction replaces its target hook: a transcoder reconstructing zeros
  /// is the zero-ablation of the MLP output.
  @Test func aTranscoderReplacesItsTargetHook() throws {
    let ae = try EvaluationFixtures.zero(width: width, hook: .mlpInput(layer: 1), target: .mlpOutput(layer: 1))
    let hooks = try AutoencoderHooks(autoencoder: ae)
    #expect(hooks.input == .mlpInput(layer: 1) && hooks.output == .mlpOutput(layer: 1))
    let result = try evaluate(ae)
    #expect(result.splicedLoss == result.zeroAblationLoss)
    let zeros = try loss(.zeros, hooks: hooks)
    #expect(zeros.mean == result.zeroAblationLoss)
  }

  /// The losses equal `−log softmax(logits)[next token]` recomputed naively from recorded
  /// logits (clean), and the mean-ablation replaces each row by the mean of the clean rows.
  @Test(arguments: [0, 1, 3])
  func lossesMatchANaiveRecomputation(keepFirst: Int) throws {
    let result = try evaluate(try EvaluationFixtures.identity(width: width, hook: Self.hook), keepFirst: keepFirst)
    var total = 0.0
    var count = 0
    var sum = [Double](repeating: 0, count: width)
    var rows = 0
    let vocabulary = model.configuration.vocabularySize
    for batch in batches {
      var recorder = ActivationRecorder([.logits, Self.hook])
      try model.forward(
        batch: batch, state: LlamaRunState(configuration: model.configuration), hooks: &recorder,
        context: ComputeContext(threads: 2))
      for (s, window) in batch.enumerated() {
        let logits = try #require(recorder.values(.logits, sequence: s))
        let activations = try #require(recorder.values(Self.hook, sequence: s))
        for p in 0..<window.count where p >= keepFirst {
          for j in 0..<width { sum[j] += Double(activations[p * width + j]) }
          rows += 1
          guard p + 1 < window.count else { continue }
          let row = logits[(p * vocabulary)..<((p + 1) * vocabulary)].map(Double.init)
          let normalizer = log(row.reduce(0) { $0 + exp($1) })
          total += normalizer - row[Int(window[p + 1])]
          count += 1
        }
      }
    }
    #expect(result.predictions == count && result.tokens == rows)
    #expect(abs(result.cleanLoss - total / Double(count)) <= 1e-9 * result.cleanLoss)
    let mean = sum.map { Float($0 / Double(rows)) }
    let meanAblated = try loss(
      .constant(mean), hooks: AutoencoderHooks(input: Self.hook, output: Self.hook), keepFirst: keepFirst)
    #expect(meanAblated.mean == result.meanAblationLoss)
  }

  @Test func theCrossEntropyOfOneRowIsStableForLargeLogits() {
    let logits: [Float] = [1000, 999, -1000]
    let loss = logits.withUnsafeBufferPointer { nextTokenCrossEntropy($0, target: 1) }
    #expect(abs(loss - (1 + log(1 + exp(-1.0)))) < 1e-12)
  }

  @Test func anAutoencoderForAnotherModelIsRefused() throws {
    let wide = try EvaluationFixtures.identity(width: 64, hook: Self.hook)
    #expect {
      try evaluate(wide)
    } throws: { error in
      guard case .widthMismatch(let hook, 64, let source, 32) = error as? EvaluationError else { return false }
      return hook == Self.hook.name && source.contains("tiny-extract") && "\(error)".contains("width 64")
        && "\(error)".contains("width 32")
    }
    let deep = try EvaluationFixtures.identity(width: width, hook: .residualPost(layer: 5))
    #expect {
      try evaluate(deep)
    } throws: { error in
      guard case .hookNotInModel("blocks.5.hook_resid_post", _, 2) = error as? EvaluationError else { return false }
      return "\(error)".contains("blocks.5.hook_resid_post") && "\(error)".contains("layers 0…1")
    }
  }
}
