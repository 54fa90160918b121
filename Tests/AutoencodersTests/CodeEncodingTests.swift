import Autoencoders
import FeatureSets
import Foundation
import HookPoints
import TensorCore
import TestSupport
import Testing

/// `bae encode`: bit packing, shards that read back to the autoencoder's codes, and errors.
@Suite struct CodeEncodingTests {
  static let hook = HookPoint.residualPost(layer: 1)

  /// A seeded autoencoder on `hook` (`d = 6`, `m = 10`).
  static func autoencoder(_ architecture: Architecture, inputWidth: Int = 6, inputHook: String? = hook.name) throws
    -> Autoencoder
  {
    let c = AutoencoderConfiguration(
      architecture: architecture, inputWidth: inputWidth, codeWidth: 10, topK: 3, inputHook: inputHook)
    return try Autoencoder(configuration: c, seed: 17)
  }

  /// `rows` seeded rows of width 6, written as a feature set of `hook` (shards of 16 rows).
  static func featureSet(rows: Int = 37, seed: UInt64 = 5) throws -> (FeatureSet, Matrix) {
    var random = SeededRandom(seed: seed)
    let x = Matrix(rows: rows, columns: 6, values: random.floats(rows * 6, scale: 2))
    let directory = try ScratchDirectory("features").url
    try FeatureSetFixture.write([(hook, x)], to: directory)
    return (try FeatureSet(directory: directory), x)
  }

  /// `ae.encode` over the same batches the encoder reads.
  static func expectedCodes(_ ae: Autoencoder, _ x: Matrix, batchSize: Int) -> [Float] {
    stride(from: 0, to: x.rows, by: batchSize).flatMap { start in
      ae.encode(x.rows(start..<min(start + batchSize, x.rows)), context: .serial).values
    }
  }

  @Test func bitOrderIsLeastSignificantFirst() {
    // Row of 10 codes with bits 0, 3, 8 and 9 set: byte 0 = 0b0000_1001, byte 1 = 0b0000_0011.
    let codes: [Float] = [1, 0, 0, 1, 0, 0, 0, 0, 1, 1]
    var packed = [UInt8](repeating: 0xFF, count: 2)
    codes.withUnsafeBufferPointer { c in
      packed.withUnsafeMutableBufferPointer {
        packCodeBits($0.baseAddress!, codes: c.baseAddress!, rows: 1, columns: 10)
      }
    }
    #expect(packed == [0x09, 0x03])
    #expect(packedRowBytes(10) == 2 && packedRowBytes(16) == 2 && packedRowBytes(17) == 3)
  }

  @Test func packingRoundTrips() {
    var random = SeededRandom(seed: 2)
    let (rows, columns) = (9, 13)
    let codes = random.codes(rows * columns, density: 0.4)
    var packed = [UInt8](repeating: 0, count: rows * packedRowBytes(columns))
    var back = [Float](repeating: -1, count: rows * columns)
    codes.withUnsafeBufferPointer { c in
      packed.withUnsafeMutableBufferPointer {
        packCodeBits($0.baseAddress!, codes: c.baseAddress!, rows: rows, columns: columns)
      }
    }
    packed.withUnsafeBufferPointer { p in
      back.withUnsafeMutableBufferPointer {
        unpackCodeBits($0.baseAddress!, packed: p.baseAddress!, rows: rows, columns: columns)
      }
    }
    #expect(back == codes)
  }

  @Test(arguments: [Architecture.bae, .relu, .topk, .jumprelu])
  func shardsReadBackToTheCodes(architecture: Architecture) throws {
    let (set, x) = try Self.featureSet()
    let ae = try Self.autoencoder(architecture)
    let out = try ScratchDirectory("codes").url.appendingPathComponent("codes")
    var seen: [CodeProgress] = []
    let manifest = try CodeEncoding.encode(
      set, autoencoder: ae, to: out, options: CodeEncodingOptions(batchSize: 8, shardRows: 12, context: .serial)
    ) { seen.append($0) }
    #expect(manifest.rows == 37 && manifest.shards.map(\.rows) == [12, 12, 12, 1])
    #expect(manifest.storage == (architecture == .bae ? .bits : .sparse))
    #expect(manifest.bitOrder == (architecture == .bae ? "little" : nil))
    #expect(manifest.hook == Self.hook.name && manifest.codeWidth == 10 && manifest.inputWidth == 6)
    #expect(seen.last == CodeProgress(rows: 37, totalRows: 37))
    #expect(try CodeManifest.load(from: out) == manifest)

    var codes: [Float] = []
    var tokens: [Int32] = []
    var documents: [Int64] = []
    var positions: [Int32] = []
    for index in manifest.shards.indices {
      let shard = try CodeShard(directory: out, manifest: manifest, index: index)
      codes += shard.codes.values
      tokens += shard.tokenIDs
      documents += shard.documentIndex
      positions += shard.positions
    }
    let expected = Self.expectedCodes(ae, x, batchSize: 8)
    #expect(codes == expected)
    #expect(manifest.nonzeroCount == expected.filter { $0 != 0 }.count)
    #expect(tokens == (0..<37).map(Int32.init))
    #expect(documents == (0..<37).map { Int64($0 / 7) } && positions == (0..<37).map { Int32($0 % 7) })
  }

  @Test func anEmptyAutoencoderHookNeedsAHook() throws {
    let (set, _) = try Self.featureSet()
    let ae = try Self.autoencoder(.bae, inputHook: nil)
    let out = try ScratchDirectory("codes").url
    #expect(codeError { _ = try CodeEncoding.encode(set, autoencoder: ae, to: out) } == .noHook)
    // Naming the hook works.
    let manifest = try CodeEncoding.encode(set, autoencoder: ae, hook: Self.hook, to: out)
    #expect(manifest.rows == 37)
  }

  @Test func errorsSayWhatIsWrong() throws {
    let (set, _) = try Self.featureSet()
    let out = try ScratchDirectory("codes").url

    let narrow = try Self.autoencoder(.bae, inputWidth: 5)
    let width = codeError { _ = try CodeEncoding.encode(set, autoencoder: narrow, to: out) }
    #expect(width == .widthMismatch(hook: Self.hook.name, width: 6, expected: 5))
    #expect(width?.description.contains("has width 6, but the autoencoder's input width is 5") == true)

    let elsewhere = try Self.autoencoder(.bae, inputHook: "blocks.3.hook_mlp_out")
    let missing = codeError { _ = try CodeEncoding.encode(set, autoencoder: elsewhere, to: out) }
    guard case .featureSet(.missingHook(let name, _, let available)) = missing else {
      Issue.record("got \(String(describing: missing))")
      return
    }
    #expect(name == "blocks.3.hook_mlp_out" && available == [Self.hook.name])

    let odd = try Self.autoencoder(.bae, inputHook: "blocks.x.hook_nothing")
    guard case .invalidHook = codeError({ _ = try CodeEncoding.encode(set, autoencoder: odd, to: out) }) else {
      Issue.record("an unparsable hook name should be refused")
      return
    }

    let ae = try Self.autoencoder(.bae)
    let options = CodeEncodingOptions(batchSize: 0)
    #expect(
      codeError { _ = try CodeEncoding.encode(set, autoencoder: ae, to: out, options: options) }
        == .invalidOption("the batch size must be positive, got 0"))

    _ = try CodeEncoding.encode(set, autoencoder: ae, to: out)
    #expect(
      codeError { _ = try CodeEncoding.encode(set, autoencoder: ae, to: out) }
        == .outputExists(CodeManifest.url(in: out)))
  }

  @Test func sparseRowsRoundTripThroughDense() {
    var rows = SparseRows(columns: 4)
    rows.append(nonzerosOf: Matrix(rows: 3, columns: 4, values: [0, 2, 0, -1, 0, 0, 0, 0, 5, 0, 0, 0]))
    #expect(rows.rowOffsets == [0, 2, 2, 3] && rows.indices == [1, 3, 0] && rows.values == [2, -1, 5])
    #expect(rows.dense().values == [0, 2, 0, -1, 0, 0, 0, 0, 5, 0, 0, 0])
  }
}
