import Autoencoders
import Foundation
import HookPoints
import Models
import TensorCore
import TestSupport

/// Autoencoders built by hand, whose codes and reconstructions are known, and the tiny model
/// the downstream tests splice them into.
enum EvaluationFixtures {
  /// The tiny model with a tokenizer (2 layers, d = 32, vocabulary 320).
  static let modelURL = Fixtures.model("tiny-extract")

  /// An autoencoder of `architecture` with the given weights (`W_enc [d, m]`, `W_dec [m, d]`).
  static func autoencoder(
    _ architecture: Architecture, hook: HookPoint?, target: HookPoint? = nil, encoder: Matrix, encoderBias: [Float],
    decoder: Matrix, decoderBias: [Float]
  ) throws -> Autoencoder {
    let (d, m) = (encoder.rows, encoder.columns)
    let configuration = AutoencoderConfiguration(
      architecture: architecture, inputWidth: d, codeWidth: m, inputHook: hook?.name, targetHook: target?.name)
    return try Autoencoder(
      configuration: configuration,
      weights: AutoencoderWeights(
        encoderWeight: encoder, encoderBias: Matrix(rows: 1, columns: m, values: encoderBias), decoderWeight: decoder,
        decoderBias: Matrix(rows: 1, columns: d, values: decoderBias), threshold: Matrix(rows: 1, columns: 0)))
  }

  /// A ReLU autoencoder of width 2d that reproduces its input exactly: `h = [relu(x), relu(−x)]`,
  /// `x̂ = h·[I; −I]` (one of each pair of terms is zero, so no rounding happens).
  static func identity(width d: Int, hook: HookPoint) throws -> Autoencoder {
    var encoder = Matrix(rows: d, columns: 2 * d)
    var decoder = Matrix(rows: 2 * d, columns: d)
    for i in 0..<d {
      encoder[i, i] = 1
      encoder[i, d + i] = -1
      decoder[i, i] = 1
      decoder[d + i, i] = -1
    }
    return try autoencoder(
      .relu, hook: hook, encoder: encoder, encoderBias: [Float](repeating: 0, count: 2 * d), decoder: decoder,
      decoderBias: [Float](repeating: 0, count: d))
  }

  /// An autoencoder (or a transcoder to `target`) whose reconstruction is exactly zero.
  static func zero(width d: Int, hook: HookPoint, target: HookPoint? = nil) throws -> Autoencoder {
    var random = SeededRandom(seed: 3)
    return try autoencoder(
      target == nil ? .relu : .transcoder, hook: hook, target: target,
      encoder: Matrix(rows: d, columns: 2 * d, values: random.floats(2 * d * d)),
      encoderBias: random.floats(2 * d, scale: 0.1), decoder: Matrix(rows: 2 * d, columns: d),
      decoderBias: [Float](repeating: 0, count: d))
  }

  /// Windows of seeded random token ids, in two batches: lengths 12, 9, 5 and 7, 2.
  static func batches(vocabulary: Int) -> [[[Int32]]] {
    var random = SeededRandom(seed: 11)
    func window(_ n: Int) -> [Int32] {
      (0..<n).map { _ in Int32(min(vocabulary - 1, Int(random.uniform(0, Double(vocabulary))))) }
    }
    return [[window(12), window(9), window(5)], [window(7), window(2)]]
  }
}
