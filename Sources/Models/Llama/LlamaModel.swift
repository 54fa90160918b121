import Checkpoints
import Foundation
import TensorCore

/// A Llama-family causal language model on the CPU (port of transformers'
/// `LlamaForCausalLM`, https://github.com/huggingface/transformers/blob/main/src/transformers/models/llama/modeling_llama.py).
///
/// **Batching.** A batch of sequences of different lengths is *packed*: all tokens are laid
/// end to end as rows of one matrix, so every projection and MLP is one large GEMM; attention
/// is computed per sequence (causal, positions restarting at 0 for each sequence). No padding
/// is computed and nothing has to be masked by the caller.
public final class LlamaModel: Sendable {
  /// Architecture.
  public let configuration: LlamaConfiguration
  /// Parameters.
  public let weights: LlamaWeights
  /// Where the model was loaded from.
  public let source: URL

  /// Wraps loaded weights.
  public init(configuration: LlamaConfiguration, weights: LlamaWeights, source: URL) {
    self.configuration = configuration
    self.weights = weights
    self.source = source
  }

  /// How the weight matrices are stored and multiplied (see ``LlamaWeights/precision``); a
  /// forward pass needs a ``ComputeContext`` of the same precision.
  public var precision: Precision { weights.precision }

  /// Number of parameters (the tied LM head counted once).
  public var parameterCount: Int {
    configuration.parameterCount(separateHead: weights.lmHead != nil)
  }
}
