import Autoencoders
import Checkpoints
import FeatureSets
import Foundation
import HookPoints
import TensorCore
import TestSupport
import Testing

/// `bae compress` / `bae decompress` (the reference's `util/compression.py`): exact round trips,
/// the code means of the first rows, the p = 0.5 edge case, the report, and refusals.
@Suite struct CompressionTests {
  static let hook = HookPoint.residualPost(layer: 1)

  static func bae(codeWidth: Int = 24, seed: UInt64 = 8) throws -> Autoencoder {
    try Autoencoder(
      configuration: AutoencoderConfiguration(
        architecture: .bae, inputWidth: 6, codeWidth: codeWidth, inputHook: hook.name),
      seed: seed)
  }

  /// `x` written as a feature set of ``hook``.
  static func featureSet(_ x: Matrix) throws -> FeatureSet {
    let directory = try ScratchDirectory("features").url
    try FeatureSetFixture.write([(hook, x)], to: directory, shardRows: 10)
    return try FeatureSet(directory: directory)
  }

  static func inputs(rows: Int, seed: UInt64 = 4) -> Matrix {
    var random = SeededRandom(seed: seed)
    return Matrix(rows: rows, columns: 6, values: random.floats(rows * 6, scale: 2))
  }

  /// `decode(encode(x))` over batches of `batchSize` rows (the batches decompress uses).
  static func decodedCodes(_ ae: Autoencoder, _ x: Matrix, batchSize: Int) -> [Float] {
    stride(from: 0, to: x.rows, by: batchSize).flatMap { start in
      ae.reconstruct(x.rows(start..<min(start + batchSize, x.rows)), context: .serial).values
    }
  }

  /// `Σ_j H_b(p_j)`, written out.
  static func entropy(_ codes: Matrix) -> Double {
    (0..<codes.columns).reduce(0.0) { sum, j in
      let p = Double((0..<codes.rows).filter { codes[$0, j] != 0 }.count) / Double(codes.rows)
      return p == 0 || p == 1 ? sum : sum - p * log2(p) - (1 - p) * log2(1 - p)
    }
  }

  // 45 rows: an odd count, so no code mean is exactly 0.5 and the reference's rule is lossless.
  @Test(arguments: TieRule.allCases)
  func decompressOfCompressEqualsDecodeOfEncode(tieRule: TieRule) throws {
    let x = Self.inputs(rows: 45)
    let set = try Self.featureSet(x)
    let ae = try Self.bae()
    let dir = try ScratchDirectory("compress").url
    let file = dir.appendingPathComponent("codes.safetensors")
    let report = try BAECompression.compress(
      set, autoencoder: ae, to: file, options: .init(tieRule: tieRule, batchSize: 8, context: .serial))
    #expect(report.rows == 45 && report.meanRows == 45 && report.codeWidth == 24)
    #expect(report.lostBits == 0 && report.tieCodes == 0)

    let codes = ae.encode(x, context: .serial)
    let compressed = try CompressedCodes(contentsOf: file)
    #expect(try compressed.codes(rows: 0..<45) == codes)
    #expect(compressed.hook == Self.hook.name && compressed.inputWidth == 6)
    #expect(report.indexBits == 16)
    #expect(try SafetensorsFile(file).info(for: "indices")?.storedType == "I16")

    // The report: the file's real size, the deviations, and the ideal.
    let size = try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int
    #expect(report.fileBytes == size)
    #expect(report.bitsPerToken == Double(report.fileBytes) * 8 / 45)
    var stats = BitStatistics(codeWidth: 24)
    stats.add(codes)
    let deviations = (0..<45).map { r in (0..<24).filter { (codes[r, $0] != 0) != (stats.majority[$0] != 0) }.count }
      .reduce(0, +)
    #expect(report.storedBits == deviations && compressed.deviationCount == deviations)
    #expect(abs(report.entropyBitsPerToken - Self.entropy(codes)) < 1e-12)

    let out = dir.appendingPathComponent("reconstruction.safetensors")
    let rows = try BAECompression.decompress(from: file, autoencoder: ae, to: out, batchSize: 8, context: .serial)
    #expect(rows == 45)
    let reconstruction = try SafetensorsFile(out)
    #expect(reconstruction.info(for: "reconstruction")?.shape == [45, 6])
    #expect(try reconstruction.floats("reconstruction") == Self.decodedCodes(ae, x, batchSize: 8))
  }

  /// Above 32768 codes an index needs 32 bits.
  @Test func wideCodesStoreInt32Indices() throws {
    let x = Self.inputs(rows: 5)
    let ae = try Self.bae(codeWidth: 32769)
    let dir = try ScratchDirectory("compress").url
    let file = dir.appendingPathComponent("wide.safetensors")
    let report = try BAECompression.compress(
      try Self.featureSet(x), autoencoder: ae, to: file, options: .init(context: .serial))
    #expect(report.indexBits == 32)
    #expect(try SafetensorsFile(file).info(for: "indices")?.storedType == "I32")
    #expect(try CompressedCodes(contentsOf: file).codes(rows: 0..<5) == ae.encode(x, context: .serial))
  }

  @Test func theMeanComesFromTheFirstRowsWhenAsked() throws {
    let x = Self.inputs(rows: 40)
    let ae = try Self.bae()
    let file = try ScratchDirectory("compress").url.appendingPathComponent("c.safetensors")
    let report = try BAECompression.compress(
      try Self.featureSet(x), autoencoder: ae, to: file, options: .init(meanRows: 11, batchSize: 4, context: .serial))
    #expect(report.meanRows == 11 && report.rows == 40)
    var first = BitStatistics(codeWidth: 24)
    first.add(ae.encode(x.rows(0..<11), context: .serial))
    let compressed = try CompressedCodes(contentsOf: file)
    #expect(compressed.mean == first.mean && compressed.majority == first.majority)
    // 11 rows: no tie, so every row still comes back exactly.
    #expect(try compressed.codes(rows: 0..<40) == ae.encode(x, context: .serial))
  }

  /// The reference's edge case: where `p_j = 0.5`, `round(0.5) = 0` and `|1 − 0.5| > 0.5` is false,
  /// so a 1 is never stored and decodes as 0; ``TieRule/lossless`` stores it.
  @Test func aCodeWithMeanOneHalfLosesItsOnesUnderTheReferenceRule() {
    // Columns: p = 0.5, 0.75, 0.25.
    let codes = Matrix(rows: 4, columns: 3, values: [1, 1, 0, 1, 1, 0, 0, 1, 0, 0, 0, 1])
    var stats = BitStatistics(codeWidth: 3)
    stats.add(codes)
    #expect(stats.mean == [0.5, 0.75, 0.25] && stats.majority == [0, 1, 0] && stats.ties == [true, false, false])

    let reference = MajorityCode(statistics: stats, tieRule: .reference)
    var stored = SparseRows(columns: 3)
    let lost = reference.appendDeviations(of: codes, to: &stored)
    #expect(lost == 2)
    #expect(stored.rowOffsets == [0, 0, 0, 0, 2] && stored.indices == [1, 2])
    #expect(reference.codes(from: stored).values == [0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1])

    let lossless = MajorityCode(statistics: stats, tieRule: .lossless)
    var all = SparseRows(columns: 3)
    #expect(lossless.appendDeviations(of: codes, to: &all) == 0)
    #expect(all.indices == [0, 0, 1, 2])
    #expect(lossless.codes(from: all) == codes)
  }

  /// The same edge case through files: a BAE whose two codes are 1 on exactly half the rows.
  @Test func tiesThroughFiles() throws {
    let c = AutoencoderConfiguration(architecture: .bae, inputWidth: 1, codeWidth: 2, inputHook: Self.hook.name)
    let ae = try Autoencoder(
      configuration: c,
      weights: AutoencoderWeights(
        encoderWeight: Matrix(rows: 1, columns: 2, values: [1, -1]), encoderBias: Matrix(rows: 1, columns: 2),
        decoderWeight: Matrix(rows: 2, columns: 1, values: [10, 100]),
        decoderBias: Matrix(rows: 1, columns: 1, values: [0.5]),
        threshold: Matrix(rows: 1, columns: 0)))
    let x = Matrix(rows: 4, columns: 1, values: [1, -1, 2, -2])
    let directory = try ScratchDirectory("features").url
    try FeatureSetFixture.write([(Self.hook, x)], to: directory)
    let set = try FeatureSet(directory: directory)
    let dir = try ScratchDirectory("compress").url

    let reference = try BAECompression.compress(set, autoencoder: ae, to: dir.appendingPathComponent("r.safetensors"))
    #expect(reference.tieCodes == 2 && reference.lostBits == 4 && reference.storedBits == 0)
    try BAECompression.decompress(
      from: dir.appendingPathComponent("r.safetensors"), autoencoder: ae,
      to: dir.appendingPathComponent("r-out.safetensors"))
    #expect(
      try SafetensorsFile(dir.appendingPathComponent("r-out.safetensors")).floats("reconstruction") == [
        0.5, 0.5, 0.5, 0.5,
      ])

    let lossless = try BAECompression.compress(
      set, autoencoder: ae, to: dir.appendingPathComponent("l.safetensors"), options: .init(tieRule: .lossless))
    #expect(lossless.lostBits == 0 && lossless.storedBits == 4)
    try BAECompression.decompress(
      from: dir.appendingPathComponent("l.safetensors"), autoencoder: ae,
      to: dir.appendingPathComponent("l-out.safetensors"))
    #expect(
      try SafetensorsFile(dir.appendingPathComponent("l-out.safetensors")).floats("reconstruction") == [
        10.5, 100.5, 10.5, 100.5,
      ])
  }

  @Test func onlyABAECanBeCompressed() throws {
    let relu = try Autoencoder(
      configuration: AutoencoderConfiguration(
        architecture: .relu, inputWidth: 6, codeWidth: 24, inputHook: Self.hook.name), seed: 1)
    let file = try ScratchDirectory("compress").url.appendingPathComponent("c.safetensors")
    let set = try Self.featureSet(Self.inputs(rows: 5))
    let error = codeError { _ = try BAECompression.compress(set, autoencoder: relu, to: file) }
    #expect(error == .notBinary(architecture: "relu"))
    #expect(error?.description.contains("only a BAE") == true)
    #expect(
      codeError { try BAECompression.decompress(from: file, autoencoder: relu, to: file) }
        == .notBinary(architecture: "relu"))
  }

  @Test func decompressChecksTheFileAgainstTheAutoencoder() throws {
    let x = Self.inputs(rows: 9)
    let dir = try ScratchDirectory("compress").url
    let file = dir.appendingPathComponent("c.safetensors")
    _ = try BAECompression.compress(try Self.featureSet(x), autoencoder: try Self.bae(), to: file)

    let wider = try Self.bae(codeWidth: 32)
    let error = codeError {
      try BAECompression.decompress(from: file, autoencoder: wider, to: dir.appendingPathComponent("o.safetensors"))
    }
    #expect(
      error?.description.contains("holds codes of width 24, but the autoencoder's code width is 32") == true,
      "\(String(describing: error))")
    #expect(
      codeError { _ = try BAECompression.compress(try Self.featureSet(x), autoencoder: try Self.bae(), to: file) }
        == .outputExists(file))
  }

  @Test func malformedCompressedFilesAreRefused() throws {
    let dir = try ScratchDirectory("compress").url
    func write(
      _ name: String, metadata: [String: String] = ["format": "bae-compressed"], offsets: [Int64], indices: [Int32]
    ) throws -> URL {
      var writer = SafetensorsWriter(metadata: metadata)
      writer.add("majority", uint8s: [0, 1, 0], shape: [3])
      writer.add("mean", floats: [0, 1, 0], shape: [3])
      writer.add("row_offsets", int64s: offsets, shape: [offsets.count])
      writer.add("indices", int32s: indices, shape: [indices.count])
      let url = dir.appendingPathComponent(name)
      try writer.write(to: url)
      return url
    }
    let foreign = try write("foreign", metadata: [:], offsets: [0, 1], indices: [0])
    #expect(
      codeError { _ = try CompressedCodes(contentsOf: foreign) }?.description.contains(
        "not a file written by bae compress") == true)
    let decreasing = try write("decreasing", offsets: [0, 2, 1, 2], indices: [0, 1])
    #expect(
      codeError { _ = try CompressedCodes(contentsOf: decreasing) }?.description.contains("row_offsets[2] = 1")
        == true)
    let outside = try write("outside", offsets: [0, 1], indices: [7])
    let codes = try CompressedCodes(contentsOf: outside)
    #expect(
      codeError { _ = try codes.codes(rows: 0..<1) }?.description.contains("indices[0] = 7 is outside 0..<3")
        == true)
  }
}
