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
  public init(
    hyperparameters: AdamHyperparameters, step: Int, firstMoments: AutoencoderWeights, secondMoments: AutoencoderWeights
  ) {
    self.hyperparameters = hyperparameters
    self.step = step
    self.firstMoments = firstMoments
    self.secondMoments = secondMoments
  }

  /// One update of the tensors named in `trainable` (others are left as they are), in place.
  ///
  /// `workers` threads update disjoint chunks of each tensor (the update is elementwise, so the
  /// result does not depend on their number).
  public mutating func update(
    _ weights: inout AutoencoderWeights, gradients: AutoencoderWeights, trainable: [String], workers: Int = 1
  ) {
    step += 1
    let (t, h) = (step, hyperparameters)
    for name in trainable {
      gradients[name].withUnsafeBufferPointer { g in
        guard let gradient = g.baseAddress else { return }
        weights.modify(name) { w in
          firstMoments.modify(name) { m in
            secondMoments.modify(name) { v in
              w.withUnsafeMutableBufferPointer { pw in
                m.withUnsafeMutableBufferPointer { pm in
                  v.withUnsafeMutableBufferPointer { pv in
                    let (w, m, v) = (pw.baseAddress!, pm.baseAddress!, pv.baseAddress!)
                    // Chunks of at least 64k elements: smaller tensors (biases) stay on one thread.
                    parallelChunks(pw.count, workers: min(workers, max(1, pw.count >> 16))) { _, range in
                      let o = range.lowerBound
                      adamStep(
                        w + o, gradients: gradient + o, firstMoments: m + o, secondMoments: v + o,
                        count: range.count, step: t, hyperparameters: h)
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}

extension AdamOptimizer {
  /// Zeroes the moments of the given encoder columns (and their biases) and decoder rows.
  mutating func resetMoments(encoderColumns: [Int], decoderRows: [Int]) {
    for moments in [\AdamOptimizer.firstMoments, \AdamOptimizer.secondMoments] {
      var w = self[keyPath: moments]
      let d = w.encoderWeight.rows
      for j in encoderColumns {
        for i in 0..<d { w.encoderWeight[i, j] = 0 }
        w.encoderBias[0, j] = 0
      }
      for j in decoderRows { for i in 0..<w.decoderWeight.columns { w.decoderWeight[j, i] = 0 } }
      self[keyPath: moments] = w
    }
  }
}
