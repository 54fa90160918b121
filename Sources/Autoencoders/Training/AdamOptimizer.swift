import TensorCore

/// Adam over every trainable tensor of an autoencoder (torch.optim.Adam's update; see
/// ``adamStep(_:gradients:firstMoments:secondMoments:count:step:hyperparameters:)``).
public struct AdamOptimizer: Sendable, Equatable {
  public var hyperparameters: AdamHyperparameters
  /// Updates made so far (torch's `step`).
  public private(set) var step = 0
  /// First and second moments, shaped like the weights.
  public private(set) var firstMoments: AutoencoderWeights
  public private(set) var secondMoments: AutoencoderWeights

  /// A fresh optimiser (zero moments) for weights shaped like `weights`.
  public init(hyperparameters: AdamHyperparameters, weights: AutoencoderWeights) {
    self.hyperparameters = hyperparameters
    firstMoments = weights.zeros()
    secondMoments = weights.zeros()
  }

  /// An optimiser restored from a checkpoint.
  public init(hyperparameters: AdamHyperparameters, step: Int, firstMoments: AutoencoderWeights, secondMoments: AutoencoderWeights) {
    self.hyperparameters = hyperparameters
    self.step = step
    self.firstMoments = firstMoments
    self.secondMoments = secondMoments
  }

  /// One update of the tensors named in `trainable` (others are left as they are).
  public mutating func update(_ weights: inout AutoencoderWeights, gradients: AutoencoderWeights, trainable: [String]) {
    step += 1
    for name in trainable {
      var w = weights[name]
      var m = firstMoments[name]
      var v = secondMoments[name]
      let g = gradients[name]
      let count = w.count
      let (t, h) = (step, hyperparameters)
      w.withUnsafeMutableBufferPointer { pw in
        m.withUnsafeMutableBufferPointer { pm in
          v.withUnsafeMutableBufferPointer { pv in
            g.withUnsafeBufferPointer { pg in
              guard count > 0 else { return }
              adamStep(
                pw.baseAddress!, gradients: pg.baseAddress!, firstMoments: pm.baseAddress!, secondMoments: pv.baseAddress!,
                count: count, step: t, hyperparameters: h)
            }
          }
        }
      }
      weights[name] = w
      firstMoments[name] = m
      secondMoments[name] = v
    }
  }
}
