import Autoencoders
import Checkpoints
import FeatureSets
import Foundation
import HookPoints
import TensorCore
import TestSupport
import Testing

/// `bae export`, `import`, `encode`, `compress` and `decompress` end to end: files written, one-line
/// summaries, and one-line errors with status 1.
@Suite struct AutoencoderCommandTests {
  static let hook = HookPoint.residualPost(layer: 1)

  /// A scratch directory holding a feature set `features/` (41 rows of width 6) and autoencoder
  /// directories `bae/` (d = 6, m = 20) and `relu/`.
  static func workspace() throws -> (ScratchDirectory, Matrix) {
    let scratch = try ScratchDirectory("cli-ae")
    var random = SeededRandom(seed: 21)
    let x = Matrix(rows: 41, columns: 6, values: random.floats(41 * 6, scale: 2))
    try FeatureSetFixture.write([(hook, x)], to: scratch.url("features"), shardRows: 16)
    for (name, architecture) in [("bae", Architecture.bae), ("relu", .relu), ("batchtopk", .batchtopk)] {
      let c = AutoencoderConfiguration(
        architecture: architecture, inputWidth: 6, codeWidth: 20, topK: 4, inputHook: hook.name, model: "fixture")
      try AutoencoderFiles.save(try Autoencoder(configuration: c, seed: 5), training: nil, to: scratch.url(name))
    }
    return (scratch, x)
  }

  static func load(_ directory: URL) throws -> Autoencoder { try AutoencoderFiles.load(from: directory).0 }

  @Test func exportThenImportGivesTheAutoencoderBack() throws {
    let (scratch, _) = try Self.workspace()
    let export = try runBae(["export", "--ae", scratch.path("bae"), "--to", scratch.path("sae")])
    #expect(export.status == 0, "\(export.stderr)")
    #expect(
      export.stdout
        == "exported a bae autoencoder (d_in 6, d_sae 20, hook blocks.1.hook_resid_post) as SAELens architecture bae to \(scratch.path("sae"))\n"
    )
    #expect(FileManager.default.fileExists(atPath: scratch.path("sae/cfg.json")))
    #expect(FileManager.default.fileExists(atPath: scratch.path("sae/sae_weights.safetensors")))

    let imported = try runBae(["import", "--from", scratch.path("sae"), "--to", scratch.path("back")])
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(try Self.load(scratch.url("back")) == (try Self.load(scratch.url("bae"))))

    let again = try runBae(["import", "--from", scratch.path("sae"), "--to", scratch.path("back")])
    #expect(again.status == 1 && again.stderr.contains("already holds an autoencoder"), "\(again.stderr)")
    let overwrite = try runBae(["export", "--ae", scratch.path("relu"), "--to", scratch.path("sae")])
    #expect(overwrite.status == 1 && overwrite.stderr.contains("already holds cfg.json"), "\(overwrite.stderr)")
  }

  @Test func exportAndImportRefuseWhatTheyCannotRepresent() throws {
    let (scratch, _) = try Self.workspace()
    let batch = try runBae(["export", "--ae", scratch.path("batchtopk"), "--to", scratch.path("out")])
    #expect(batch.status == 1)
    #expect(batch.stderr.contains("cannot export a batchtopk autoencoder to SAELens"), "\(batch.stderr)")
    #expect(batch.stderr.split(separator: "\n").count == 1, "\(batch.stderr)")

    try scratch.write("gated/cfg.json", #"{"architecture": "gated", "d_in": 6, "d_sae": 20}"#)
    let gated = try runBae(["import", "--from", scratch.path("gated"), "--to", scratch.path("g")])
    #expect(
      gated.status == 1 && gated.stderr.contains("SAELens architecture 'gated' is not one bae runs"), "\(gated.stderr)")

    try scratch.write("broken/cfg.json", #"{"architecture": "standard", "d_in": 6"#)
    let broken = try runBae(["import", "--from", scratch.path("broken"), "--to", scratch.path("b")])
    #expect(
      broken.status == 1 && broken.stderr.contains("cfg.json") && broken.stderr.contains("not valid JSON"),
      "\(broken.stderr)")
  }

  @Test func encodeWritesShardsOfCodes() throws {
    let (scratch, x) = try Self.workspace()
    let result = try runBae([
      "encode", "--features", scratch.path("features"), "--ae", scratch.path("bae"), "--out", scratch.path("codes"),
      "--batch-size", "8", "--shard-rows", "16", "--threads", "1",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(
      result.stdout.hasPrefix("encoded 41 rows of blocks.1.hook_resid_post into 20 bits per row"), "\(result.stdout)")
    let manifest = try CodeManifest.load(from: scratch.url("codes"))
    #expect(manifest.shards.map(\.rows) == [16, 16, 9] && manifest.storage == .bits)
    let ae = try Self.load(scratch.url("bae"))
    var codes: [Float] = []
    for index in manifest.shards.indices {
      codes += try CodeShard(directory: scratch.url("codes"), manifest: manifest, index: index).codes.values
    }
    #expect(codes == ae.encode(x, context: .serial).values)

    let sparse = try runBae([
      "encode", "--features", scratch.path("features"), "--ae", scratch.path("relu"), "--out",
      scratch.path("relu-codes"),
    ])
    #expect(sparse.status == 0, "\(sparse.stderr)")
    #expect(try CodeManifest.load(from: scratch.url("relu-codes")).storage == .sparse)
  }

  @Test func encodeErrorsAreOneLine() throws {
    let (scratch, _) = try Self.workspace()
    let missing = try runBae([
      "encode", "--features", scratch.path("features"), "--ae", scratch.path("bae"), "--hook", "blocks.0.hook_mlp_out",
      "--out", scratch.path("c1"),
    ])
    #expect(missing.status == 1 && missing.stderr.contains("blocks.0.hook_mlp_out"), "\(missing.stderr)")
    #expect(missing.stderr.split(separator: "\n").count == 1, "\(missing.stderr)")

    let narrow = AutoencoderConfiguration(architecture: .bae, inputWidth: 4, codeWidth: 8, inputHook: Self.hook.name)
    try AutoencoderFiles.save(try Autoencoder(configuration: narrow, seed: 1), training: nil, to: scratch.url("narrow"))
    let width = try runBae([
      "encode", "--features", scratch.path("features"), "--ae", scratch.path("narrow"), "--out", scratch.path("c2"),
    ])
    #expect(width.status == 1)
    #expect(
      width.stderr.contains("hook blocks.1.hook_resid_post has width 6, but the autoencoder's input width is 4"),
      "\(width.stderr)")

    let noFeatures = try runBae(["encode", "--ae", scratch.path("bae"), "--out", scratch.path("c3")])
    #expect(noFeatures.status != 0 && noFeatures.stderr.contains("--features"), "\(noFeatures.stderr)")
  }

  @Test func compressThenDecompressGivesTheDecodedCodes() throws {
    let (scratch, x) = try Self.workspace()
    let compress = try runBae([
      "compress", "--features", scratch.path("features"), "--ae", scratch.path("bae"), "--out",
      scratch.path("c.safetensors"),
      "--threads", "1",
    ])
    #expect(compress.status == 0, "\(compress.stderr)")
    #expect(compress.stdout.contains("compressed 41 rows (20 codes each)"), "\(compress.stdout)")
    #expect(compress.stdout.contains("bits/token (file size × 8 / rows)"), "\(compress.stdout)")
    #expect(compress.stdout.contains("bits/token (Σ_j H_b(p_j)"), "\(compress.stdout)")
    #expect(compress.stdout.contains("p from the first 41 rows; 0 codes with p = 0.5"), "\(compress.stdout)")

    let decompress = try runBae([
      "decompress", "--from", scratch.path("c.safetensors"), "--ae", scratch.path("bae"), "--out",
      scratch.path("r.safetensors"),
      "--threads", "1",
    ])
    #expect(decompress.status == 0, "\(decompress.stderr)")
    #expect(decompress.stdout == "decoded 41 rows into \(scratch.path("r.safetensors")) (reconstruction [41, 6])\n")
    let ae = try Self.load(scratch.url("bae"))
    let expected = ae.reconstruct(x, context: .serial)
    #expect(try SafetensorsFile(scratch.url("r.safetensors")).floats("reconstruction") == expected.values)

    let relu = try runBae([
      "compress", "--features", scratch.path("features"), "--ae", scratch.path("relu"), "--out",
      scratch.path("x.safetensors"),
    ])
    #expect(relu.status == 1 && relu.stderr.contains("the autoencoder is a relu; only a BAE"), "\(relu.stderr)")
    let meanRows = try runBae([
      "compress", "--features", scratch.path("features"), "--ae", scratch.path("bae"), "--out",
      scratch.path("m.safetensors"),
      "--mean-rows", "0",
    ])
    #expect(meanRows.status != 0 && meanRows.stderr.contains("--mean-rows must be at least 1"), "\(meanRows.stderr)")
  }
}
