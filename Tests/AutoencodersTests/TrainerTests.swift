import Autoencoders
import FeatureSets
import Foundation
import TensorCore
import TestSupport
import Testing

@Suite struct TrainerTests {
  static func data(rows: Int = 300, width: Int = 12, seed: UInt64 = 1) -> Matrix {
    SyntheticCodes(bits: 6, width: width, rows: rows, noise: 0.01, seed: seed).samples
  }

  static func options(epochs: Int = 6) -> TrainingOptions {
    var o = TrainingOptions()
    o.epochs = epochs
    o.batchSize = 64
    o.entropyWeight = 1e-3
    o.entropyStartEpoch = 2
    o.covarianceWeight = 1e-4
    o.checkpointEvery = 2
    return o
  }

  /// A run stopped after some epochs (as if killed) and resumed from its checkpoint ends with
  /// exactly the weights and metrics of an uninterrupted run.
  @Test(arguments: [Architecture.bae, .relu, .topk])
  func resumedRunEqualsUninterrupted(architecture: Architecture) throws {
    let x = Self.data()
    var options = Self.options()
    if architecture == .relu { options.l1Weight = 1e-4 }
    let configuration = AutoencoderConfiguration(architecture: architecture, inputWidth: 12, codeWidth: 48, topK: 4)
    let whole = try ScratchDirectory("whole").url
    let full = try Trainer(configuration: configuration, options: options, inputs: x, output: whole, context: .serial)
      .run()

    let parts = try ScratchDirectory("parts").url
    let first = try Trainer(configuration: configuration, options: options, inputs: x, output: parts, context: .serial)
    first.stopAfterEpochs = 3  // checkpoint after epoch 2; epoch 3's metrics line must be dropped on resume
    _ = try first.run()
    let resumed = try Trainer(
      configuration: configuration, options: options, inputs: x, output: parts, resume: true, context: .serial
    ).run()
    #expect(resumed == full)
    let a = try String(contentsOf: whole.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
    let b = try String(contentsOf: parts.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
    func withoutTimes(_ s: String) -> [String] {
      s.split(separator: "\n").map {
        $0.replacingOccurrences(of: #""seconds":[0-9.e-]+"#, with: "", options: .regularExpression)
      }
    }
    #expect(withoutTimes(a) == withoutTimes(b))
    #expect(withoutTimes(a).count == options.epochs)
    let (loaded, training) = try AutoencoderFiles.load(from: parts)
    #expect(loaded == full)
    #expect(training == options)
  }

  @Test func trainingReducesTheLossAndDeterminismHolds() throws {
    let x = Self.data()
    let configuration = AutoencoderConfiguration(architecture: .bae, inputWidth: 12, codeWidth: 48)
    let a = try Trainer(
      configuration: configuration, options: Self.options(epochs: 20), inputs: x, output: nil, context: .serial)
    let trained = try a.run()
    let again = try Trainer(
      configuration: configuration, options: Self.options(epochs: 20), inputs: x, output: nil, context: .serial
    ).run()
    #expect(trained == again)
    let initial = try Autoencoder(configuration: configuration, seed: 0)
    func mse(_ ae: Autoencoder) -> Double {
      let r = ae.reconstruct(x, context: .serial)
      return zip(r.values, x.values).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) } / Double(x.count)
    }
    #expect(mse(trained) < 0.5 * mse(initial), "mse \(mse(trained)) vs initial \(mse(initial))")
    let codes = trained.encode(x, context: .serial)
    #expect(codes.values.allSatisfy { $0 == 0 || $0 == 1 })
  }

  /// Learned JumpReLU thresholds move under the straight-through estimator; fixed ones do not.
  @Test func jumpReLUThresholdsAreLearnedOnlyWhenAsked() throws {
    let x = Self.data()
    var options = Self.options(epochs: 5)
    options.learningRate = 1e-2
    for learn in [false, true] {
      let c = AutoencoderConfiguration(
        architecture: .jumprelu, inputWidth: 12, codeWidth: 48, jumpThreshold: 0.05, learnThreshold: learn,
        thresholdBandwidth: 0.05)
      let trained = try Trainer(configuration: c, options: options, inputs: x, output: nil, context: .serial).run()
      let moved = trained.weights.threshold.values.filter { $0 != 0.05 }.count
      #expect(learn ? moved > 0 : moved == 0, "learn \(learn): \(moved) thresholds moved")
    }
  }

  @Test func badInputGivesClearErrors() throws {
    let x = Self.data()
    let configuration = AutoencoderConfiguration(architecture: .bae, inputWidth: 12, codeWidth: 48)
    // Width of the data differs from the autoencoder's.
    #expect {
      _ = try Trainer(
        configuration: AutoencoderConfiguration(architecture: .bae, inputWidth: 10, codeWidth: 40),
        options: Self.options(), inputs: x, output: nil, context: .serial)
    } throws: { "\($0)".contains("width 12") && "\($0)".contains("expects 10") }
    // NaN in the data names the row.
    var bad = x
    bad[7, 3] = .nan
    #expect {
      _ = try Trainer(configuration: configuration, options: Self.options(), inputs: bad, output: nil, context: .serial)
    } throws: { "\($0)".contains("row 7") }
    // An empty dataset.
    #expect {
      _ = try Trainer(
        configuration: configuration, options: Self.options(), inputs: Matrix(rows: 0, columns: 12), output: nil,
        context: .serial)
    } throws: { "\($0)".contains("no rows to train on") }
    // TopK at or beyond the code width.
    #expect {
      _ = try Trainer(
        configuration: AutoencoderConfiguration(architecture: .topk, inputWidth: 12, codeWidth: 48, topK: 48),
        options: Self.options(), inputs: x, output: nil, context: .serial)
    } throws: { "\($0)".contains("topK") }
    // A NaN loss stops training, naming the step and the kept checkpoint.
    var explosive = Self.options(epochs: 4)
    explosive.learningRate = 1e38  // one step makes the weights overflow Float
    let out = try ScratchDirectory("nan").url
    #expect {
      _ = try Trainer(
        configuration: configuration, options: explosive, inputs: x.rows(0..<300), output: out, context: .serial
      ).run()
    } throws: { error in
      guard case .nonFiniteLoss = error as? AutoencoderError else { return false }
      return "\(error)".contains("step")
    }
  }

  @Test func configurationFilesRefuseTyposAndRoundTrip() throws {
    let directory = try ScratchDirectory("config").url
    let ae = try Autoencoder(
      configuration: AutoencoderConfiguration(architecture: .jumprelu, inputWidth: 8, codeWidth: 32), seed: 3)
    try AutoencoderFiles.save(ae, training: Self.options(), to: directory)
    let (loaded, training) = try AutoencoderFiles.load(from: directory)
    #expect(loaded == ae)
    #expect(training == Self.options())
    let configURL = directory.appendingPathComponent("config.json")
    let json = try String(contentsOf: configURL, encoding: .utf8)
    try json.replacingOccurrences(of: "\"codeWidth\"", with: "\"codeWidht\"").write(
      to: configURL, atomically: true, encoding: .utf8)
    #expect { try AutoencoderFiles.load(from: directory) } throws: { error in
      "\(error)".contains("unknown key 'codeWidht'") && "\(error)".contains("did you mean 'codeWidth'")
    }
  }
}

@Suite struct NormalizationTests {
  /// Folding the fitted input scaling into the weights gives the same codes and reconstructions
  /// on raw inputs (what an SAELens export relies on).
  @Test(arguments: [InputNormalization.Kind.sqrtD, .perDimension])
  func foldedWeightsComputeTheSameFunction(kind: InputNormalization.Kind) throws {
    var random = SeededRandom(seed: 4)
    let x = Matrix(rows: 50, columns: 8, values: (0..<400).map { _ in Float(random.normal() * 3 + 1) })
    for architecture in [Architecture.bae, .relu, .jumprelu] {
      let c = AutoencoderConfiguration(
        architecture: architecture, inputWidth: 8, codeWidth: 32, normalization: InputNormalization.fit(kind, to: x))
      let ae = try Autoencoder(configuration: c, seed: 9)
      let folded = try #require(ae.foldingNormalization())
      #expect(folded.configuration.normalization == .none)
      #expect(maxAbsDiff(folded.encode(x, context: .serial).values, ae.encode(x, context: .serial).values) <= 1e-4)
      #expect(
        maxAbsDiff(folded.reconstruct(x, context: .serial).values, ae.reconstruct(x, context: .serial).values) <= 1e-3)
    }
  }

  @Test func normalisationIsFittedAndInverted() {
    var random = SeededRandom(seed: 5)
    let x = Matrix(rows: 200, columns: 6, values: (0..<1200).map { _ in Float(random.normal() * 4 - 2) })
    let per = InputNormalization.fit(.perDimension, to: x)
    let y = per.apply(x)
    for j in 0..<6 {
      let column = (0..<200).map { Double(y[$0, j]) }
      let mean = column.reduce(0, +) / 200
      let variance = column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 200
      #expect(abs(mean) < 1e-5 && abs(variance - 1) < 1e-4)
    }
    #expect(maxAbsDiff(per.invert(y).values, x.values) <= 1e-5)
    let scale = InputNormalization.fit(.sqrtD, to: x).apply(x)
    let meanNorm =
      (0..<200).map { i in Double(scale.row(i).reduce(0) { $0 + $1 * $1 }).squareRoot() }.reduce(0, +) / 200
    #expect(abs(meanNorm - 6.0.squareRoot()) < 1e-4)
  }
}

@Suite struct StreamingTrainerTests {
  /// Training from a feature set read at every epoch: learns (loss falls), resumes exactly, and
  /// with no shuffle to tell them apart (one batch per epoch) equals training on the rows in memory.
  @Test func streamedTrainingLearnsResumesAndMatchesMemory() throws {
    let x = TrainerTests.data(rows: 256, width: 12)
    let setDirectory = try ScratchDirectory("stream-set").url
    try FeatureSetFixture.write([(.residualPost(layer: 0), x)], to: setDirectory, shardRows: 40)
    let set = try FeatureSet(directory: setDirectory)
    let stream = StreamingRows(
      set: set, input: .residualPost(layer: 0), target: nil, data: DataOptions(), bufferRows: 64)
    let c = AutoencoderConfiguration(architecture: .bae, inputWidth: 12, codeWidth: 48)
    var options = TrainerTests.options(epochs: 6)
    options.trainFraction = 0.75

    let whole = try ScratchDirectory("stream-whole").url
    let full = try Trainer(configuration: c, options: options, stream: stream, output: whole, context: .serial).run()
    let metrics = try EpochMetrics.read(from: whole)
    #expect(metrics.count == 6)
    #expect(metrics.last!.validation!.mse < metrics.first!.validation!.mse)

    let parts = try ScratchDirectory("stream-parts").url
    let first = try Trainer(configuration: c, options: options, stream: stream, output: parts, context: .serial)
    first.stopAfterEpochs = 3
    _ = try first.run()
    let resumed = try Trainer(
      configuration: c, options: options, stream: stream, output: parts, resume: true, context: .serial
    ).run()
    #expect(resumed == full)

    // One batch holding all 192 training rows: the order inside a batch does not change the step.
    var oneBatch = options
    oneBatch.batchSize = 192
    let streamed = try Trainer(configuration: c, options: oneBatch, stream: stream, output: nil, context: .serial).run()
    let inMemory = try Trainer(configuration: c, options: oneBatch, inputs: x, output: nil, context: .serial).run()
    #expect(maxAbsDiff(streamed.weights.encoderWeight.values, inMemory.weights.encoderWeight.values) <= 1e-4)
  }
}

@Suite struct TrainingPracticeTests {
  @Test func unitNormDecoderStaysOnTheSphere() throws {
    let x = TrainerTests.data()
    var options = TrainerTests.options(epochs: 3)
    options.unitNormDecoder = true
    let c = AutoencoderConfiguration(architecture: .relu, inputWidth: 12, codeWidth: 48)
    let trained = try Trainer(configuration: c, options: options, inputs: x, output: nil, context: .serial).run()
    for j in 0..<48 {
      let norm = trained.weights.decoderWeight.row(j).reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
      #expect(abs(norm - 1) < 1e-4, "decoder row \(j) has norm \(norm)")
    }
  }

  /// The geometric median resists outliers that pull the mean.
  @Test func decoderBiasFromTheData() throws {
    var random = SeededRandom(seed: 8)
    var values: [Float] = []
    for i in 0..<400 {
      let outlier = i % 20 == 0
      values += (0..<4).map { _ in Float(random.normal() * 0.1) + (outlier ? 50 : 1) }
    }
    let rows = Matrix(rows: 400, columns: 4, values: values)
    let mean = try #require(Trainer.decoderBias(.mean, rows: rows))
    let median = try #require(Trainer.decoderBias(.geometricMedian, rows: rows))
    #expect(mean.values.allSatisfy { abs($0 - 3.45) < 0.1 })  // 0.95·1 + 0.05·50
    #expect(median.values.allSatisfy { abs($0 - 1) < 0.1 })
    #expect(Trainer.decoderBias(.zero, rows: rows)?.values == [0, 0, 0, 0])
    #expect(Trainer.decoderBias(.random, rows: rows) == nil)
  }

  /// Dead-code resampling revives codes (a strong L1 kills many), and keeps resumed runs exact.
  @Test func deadCodesAreResampledDeterministically() throws {
    let x = TrainerTests.data(rows: 400)
    var options = TrainerTests.options(epochs: 6)
    options.l1Weight = 3e-2
    options.learningRate = 1e-2
    options.checkpointEvery = 1
    let c = AutoencoderConfiguration(architecture: .relu, inputWidth: 12, codeWidth: 48)
    let plain = try Trainer(configuration: c, options: options, inputs: x, output: nil, context: .serial)
    _ = try plain.run()
    options.resampleDeadEvery = 2
    let whole = try ScratchDirectory("resample-whole").url
    let resampling = try Trainer(configuration: c, options: options, inputs: x, output: whole, context: .serial)
    let full = try resampling.run()
    #expect(resampling.resampledThisRun > 0, "no dead code was resampled")
    let parts = try ScratchDirectory("resample-parts").url
    let first = try Trainer(configuration: c, options: options, inputs: x, output: parts, context: .serial)
    first.stopAfterEpochs = 3
    _ = try first.run()
    let resumed = try Trainer(
      configuration: c, options: options, inputs: x, output: parts, resume: true, context: .serial
    ).run()
    #expect(resumed == full)
  }
}
