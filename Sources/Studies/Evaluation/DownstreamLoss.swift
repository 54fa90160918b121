import Autoencoders
import Foundation
import HookPoints
import Models
import TensorCore

/// Options of ``DownstreamLoss/evaluate(model:autoencoder:hooks:batches:options:progress:)``.
public struct DownstreamOptions: Sendable, Equatable {
  /// Window positions below this keep their clean activations and are not scored (1, the
  /// default, leaves the attention sink alone, as SAELens leaves BOS; 0 replaces every position).
  public var keepFirst: Int
  /// Dead and dense definitions for the statistics of the replaced rows.
  public var activity: CodeActivity
  /// Threads of the forward passes, the autoencoder and the cross-entropy.
  public var context: ComputeContext

  public init(keepFirst: Int = 1, activity: CodeActivity, context: ComputeContext = ComputeContext()) {
    self.keepFirst = keepFirst
    self.activity = activity
    self.context = context
  }
}

/// How far a downstream evaluation has got.
public struct DownstreamProgress: Sendable, Equatable {
  /// 1: the clean pass (loss and mean activation); 2: splice, zero- and mean-ablation.
  public var pass: Int
  /// Batches done in this pass, of ``batches``.
  public var batchesDone: Int
  public var batches: Int
}

/// The next-token loss of a model with an autoencoder's reconstruction spliced in, against the
/// clean model and two ablations.
///
/// Losses are mean next-token cross-entropies in nats (natural log) over the predictions made
/// at the replaced positions: in a window of `n` tokens, position `p` for `keepFirst ≤ p ≤ n − 2`
/// predicts token `p + 1`. The first token of a window is never a target, and predictions at
/// positions below `keepFirst` are not scored (they see no replaced activation, so they would
/// only add the same amount to every loss).
public struct DownstreamLossResult: Codable, Sendable, Equatable {
  /// Windows run.
  public var windows: Int
  /// Rows replaced: tokens at positions `≥ keepFirst`.
  public var tokens: Int
  /// Predictions scored.
  public var predictions: Int
  /// Positions below this were neither replaced nor scored.
  public var keepFirst: Int
  /// The model as it is.
  public var cleanLoss: Double
  /// The hook's activations replaced by the autoencoder's reconstruction.
  public var splicedLoss: Double
  /// Replaced by zeros.
  public var zeroAblationLoss: Double
  /// Replaced by the mean activation over the replaced rows (measured in the clean pass).
  public var meanAblationLoss: Double
  /// `spliced − clean`.
  public var lossIncrease: Double
  /// `(zero − spliced) / (zero − clean)`: 1 when splicing costs nothing, 0 when it is as bad as
  /// zero-ablation (SAELens's `ce_loss_score`); `nil` when zero-ablation costs nothing.
  public var lossRecovered: Double?
  /// `(mean − spliced) / (mean − clean)`, the same against mean-ablation.
  public var lossRecoveredVsMeanAblation: Double?
  /// The autoencoder's reconstruction statistics over the replaced rows.
  public var reconstruction: ReconstructionStatistics

  enum CodingKeys: String, CodingKey {
    case windows, tokens, predictions, reconstruction
    case keepFirst = "keep_first"
    case cleanLoss = "clean_loss"
    case splicedLoss = "spliced_loss"
    case zeroAblationLoss = "zero_ablation_loss"
    case meanAblationLoss = "mean_ablation_loss"
    case lossIncrease = "loss_increase"
    case lossRecovered = "loss_recovered"
    case lossRecoveredVsMeanAblation = "loss_recovered_vs_mean_ablation"
  }

  /// `(ablated − spliced) / (ablated − clean)`, or `nil` when the ablation changes nothing.
  public static func recovered(clean: Double, spliced: Double, ablated: Double) -> Double? {
    ablated == clean ? nil : (ablated - spliced) / (ablated - clean)
  }
}

/// Runs the downstream-loss evaluation.
public enum DownstreamLoss {
  /// Evaluates `autoencoder` inside `model` on `batches` of token windows.
  ///
  /// Two passes over the batches: first the clean model (its loss, and the mean activation at
  /// the output point over the rows to replace), then per batch three passes with the rows
  /// replaced by the reconstruction, by zeros and by that mean. Each pass runs to the logits
  /// with a ``SpliceHook``.
  ///
  /// - Parameters:
  ///   - batches: windows of token ids per batch (``Extractor/tokenBatches(progress:)`` cuts
  ///     them as `bae extract` does).
  /// - Throws: ``EvaluationError`` (the checks of ``AutoencoderHooks/check(_:against:model:)``,
  ///   `.invalidOption`, `.nothingToEvaluate`), `ForwardError` for a token outside the vocabulary.
  public static func evaluate(
    model: LlamaModel, autoencoder: Autoencoder, hooks: AutoencoderHooks, batches: [[[Int32]]],
    options: DownstreamOptions, progress: (DownstreamProgress) -> Void = { _ in }
  ) throws -> DownstreamLossResult {
    let c = model.configuration
    try hooks.check(autoencoder, against: c, model: model.source.path)
    guard options.keepFirst >= 0 else {
      throw EvaluationError.invalidOption("the kept first positions must be at least 0, got \(options.keepFirst)")
    }
    let width = hooks.output == .logits ? c.vocabularySize : c.hiddenSize
    let state = LlamaRunState(configuration: c)
    func run(_ hook: inout SpliceHook, _ batch: [[Int32]]) throws {
      hook.batch = batch
      try model.forward(batch: batch, state: state, hooks: &hook, context: options.context)
    }
    func makeHook(_ replacement: SpliceReplacement?) -> SpliceHook {
      SpliceHook(
        hooks: hooks, replacement: replacement, keepFirst: options.keepFirst, width: width, context: options.context)
    }

    var clean = makeHook(nil)
    for (index, batch) in batches.enumerated() {
      try run(&clean, batch)
      progress(DownstreamProgress(pass: 1, batchesDone: index + 1, batches: batches.count))
    }
    guard clean.loss.count > 0, clean.outputRows > 0 else {
      throw EvaluationError.nothingToEvaluate(
        "no window has a token to predict after the first \(options.keepFirst) positions")
    }
    let mean = clean.outputSum.map { Float($0 / Double(clean.outputRows)) }

    var spliced = makeHook(.reconstruction(autoencoder))
    var zero = makeHook(.zeros)
    var meanAblated = makeHook(.constant(mean))
    for (index, batch) in batches.enumerated() {
      try run(&spliced, batch)
      try run(&zero, batch)
      try run(&meanAblated, batch)
      progress(DownstreamProgress(pass: 2, batchesDone: index + 1, batches: batches.count))
    }
    let (cleanLoss, splicedLoss) = (clean.loss.mean, spliced.loss.mean)
    let (zeroLoss, meanLoss) = (zero.loss.mean, meanAblated.loss.mean)
    return DownstreamLossResult(
      windows: batches.reduce(0) { $0 + $1.count }, tokens: clean.outputRows, predictions: clean.loss.count,
      keepFirst: options.keepFirst, cleanLoss: cleanLoss, splicedLoss: splicedLoss, zeroAblationLoss: zeroLoss,
      meanAblationLoss: meanLoss, lossIncrease: splicedLoss - cleanLoss,
      lossRecovered: DownstreamLossResult.recovered(clean: cleanLoss, spliced: splicedLoss, ablated: zeroLoss),
      lossRecoveredVsMeanAblation: DownstreamLossResult.recovered(
        clean: cleanLoss, spliced: splicedLoss, ablated: meanLoss),
      reconstruction: spliced.reconstruction!.statistics(activity: options.activity))
  }
}
