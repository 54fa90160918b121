import Autoencoders
import HookPoints
import Models
import TensorCore

/// What a ``SpliceHook`` writes over the activations of the replaced rows.
public enum SpliceReplacement: Sendable {
  /// The activations themselves, read out and written back (a check: the pass must equal the
  /// clean one bit for bit).
  case identity
  /// Zeros (zero-ablation).
  case zeros
  /// One vector for every row (mean-ablation with the mean activation), `[d]`.
  case constant([Float])
  /// The autoencoder's reconstruction of the clean activations (of its input hook, for a
  /// transcoder), with its input normalisation applied and inverted as
  /// ``Autoencoder/reconstruct(_:context:)`` does.
  case reconstruction(Autoencoder)
}

/// A forward hook that replaces the activations at an autoencoder's output point on every row
/// at a window position `≥ keepFirst`, and adds up the next-token cross-entropy of the
/// predictions made at those positions.
///
/// Without a replacement it edits nothing and instead sums the clean activations of those rows
/// (for the mean of mean-ablation). With ``SpliceReplacement/reconstruction(_:)`` it also
/// accumulates the reconstruction statistics of the rows it replaced.
///
/// Set ``batch`` to the token ids of each batch before running it: the targets come from there.
public struct SpliceHook: ForwardHook {
  public let points: Set<HookPoint>
  public let editedPoints: Set<HookPoint>
  /// Where the autoencoder reads and what it replaces.
  public let hooks: AutoencoderHooks
  /// What replaces the activations, or `nil` for a clean pass.
  public let replacement: SpliceReplacement?
  /// Window positions below this are neither replaced nor scored.
  public let keepFirst: Int
  /// Threads for the autoencoder and the cross-entropy.
  public let context: ComputeContext
  /// The token ids of the batch being run, one array per window.
  public var batch: [[Int32]] = []
  /// Cross-entropy of the scored predictions so far.
  public private(set) var loss = LossSum()
  /// Clean pass: per dimension, the sum of the output point's activations over the rows that
  /// would be replaced, and the number of those rows.
  public private(set) var outputSum: [Double]
  public private(set) var outputRows = 0
  /// Reconstruction pass: statistics of the replaced rows (targets are the clean activations).
  public private(set) var reconstruction: ReconstructionAccumulator?
  /// A transcoder's clean inputs of the current batch, read before its output point.
  var inputs: Matrix?

  /// A hook for one kind of pass.
  ///
  /// - Parameters:
  ///   - width: the activation width at `hooks.output`.
  public init(
    hooks: AutoencoderHooks, replacement: SpliceReplacement?, keepFirst: Int, width: Int, context: ComputeContext
  ) {
    self.hooks = hooks
    self.replacement = replacement
    self.keepFirst = keepFirst
    self.context = context
    outputSum = [Double](repeating: 0, count: replacement == nil ? width : 0)
    var points: Set<HookPoint> = [.logits]
    if replacement == nil { points.insert(hooks.output) }
    if case .reconstruction(let autoencoder) = replacement {
      reconstruction = ReconstructionAccumulator(
        inputWidth: autoencoder.configuration.inputWidth, codeWidth: autoencoder.configuration.codeWidth)
      if hooks.input != hooks.output { points.insert(hooks.input) }
    }
    if case .constant(let vector) = replacement {
      precondition(vector.count == width, "a constant of width \(vector.count) for activations of width \(width)")
    }
    self.points = points
    editedPoints = replacement == nil ? [] : [hooks.output]
  }

  /// The rows of a batch at window positions `≥ keepFirst`.
  func replacedRows(_ sequences: [Range<Int>]) -> [Int] {
    sequences.flatMap { range in (range.lowerBound + min(keepFirst, range.count))..<range.upperBound }
  }

  /// The rows `rows` of `view` as a matrix `[rows.count, width]`.
  static func gather(_ view: ActivationView, rows: [Int]) -> Matrix {
    var m = Matrix(rows: rows.count, columns: view.width)
    m.withUnsafeMutableBufferPointer { out in
      for (i, r) in rows.enumerated() {
        (out.baseAddress! + i * view.width).update(from: view.row(r).baseAddress!, count: view.width)
      }
    }
    return m
  }

  public mutating func visit(_ point: HookPoint, _ activations: ActivationView) throws {
    if point == hooks.input, case .reconstruction = replacement, hooks.input != hooks.output {
      inputs = Self.gather(activations, rows: replacedRows(activations.sequences))
    }
    if replacement == nil, point == hooks.output {
      let width = activations.width
      for r in replacedRows(activations.sequences) {
        let row = activations.row(r)
        for j in 0..<width { outputSum[j] += Double(row[j]) }
        outputRows += 1
      }
    }
    if point == .logits {
      precondition(batch.count == activations.sequences.count, "set the hook's batch before each pass")
      var predictions: [(row: Int, target: Int)] = []
      for (s, range) in activations.sequences.enumerated() where range.count > keepFirst + 1 {
        for p in keepFirst..<(range.count - 1) { predictions.append((range.lowerBound + p, Int(batch[s][p + 1]))) }
      }
      loss.add(
        logits: activations.values, vocabulary: activations.width, predictions: predictions, context: context)
    }
  }

  public mutating func edit(_ point: HookPoint, _ activations: MutableActivationView) throws {
    guard let replacement, point == hooks.output else { return }
    let rows = replacedRows(activations.sequences)
    guard !rows.isEmpty else { return }
    let width = activations.width
    func write(_ m: Matrix) {
      m.withUnsafeBufferPointer { values in
        for (i, r) in rows.enumerated() {
          activations.row(r).baseAddress!.update(from: values.baseAddress! + i * width, count: width)
        }
      }
    }
    switch replacement {
    case .identity:
      write(Self.gather(activations.readOnly, rows: rows))
    case .zeros:
      for r in rows { activations.row(r).update(repeating: 0) }
    case .constant(let vector):
      for r in rows { _ = activations.row(r).update(fromContentsOf: vector) }
    case .reconstruction(let autoencoder):
      let clean = Self.gather(activations.readOnly, rows: rows)
      let codes = autoencoder.encode(inputs ?? clean, context: context)
      let reconstructions = autoencoder.reconstruction(fromCodes: codes, context: context)
      reconstruction?.add(targets: clean, reconstructions: reconstructions, codes: codes)
      inputs = nil
      write(reconstructions)
    }
  }
}
