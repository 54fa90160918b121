import Autoencoders
import Checkpoints
import Foundation
import TensorCore
import TestSupport
import Testing

/// The committed SAELens folders under `Resources/export/` (tiny seeded autoencoders, d = 16,
/// m = 64) and the golden codes and reconstructions `scripts/make_export_fixture.py` computed
/// from them with NumPy: `bae` must read the folders back and compute the same numbers.
///
/// Regenerate the folders with `BAE_REGENERATE_FIXTURES=1 swift test --filter ExportGoldenTests`,
/// then the golden with `python scripts/make_export_fixture.py` (a venv with numpy and safetensors).
@Suite struct ExportGoldenTests {
  /// Largest absolute difference allowed between `bae`'s reconstructions (F32 BLAS) and NumPy's
  /// (F64, rounded to F32): values are O(1), so this is about 100 F32 ulps.
  static let tolerance: Float = 1e-5

  static let names = ["bae", "bae-sigmoid", "relu", "topk", "jumprelu"]

  /// The autoencoder behind each committed folder.
  static func fixture(_ name: String) throws -> Autoencoder {
    func make(_ architecture: Architecture, seed: UInt64, _ edit: (inout AutoencoderConfiguration) -> Void = { _ in })
      throws -> Autoencoder
    {
      var c = AutoencoderConfiguration(
        architecture: architecture, inputWidth: 16, codeWidth: 64, topK: 8, inputHook: "blocks.1.hook_resid_post",
        model: "tiny-extract")
      edit(&c)
      return try Autoencoder(configuration: c, seed: seed)
    }
    switch name {
    case "bae": return try make(.bae, seed: 101)
    case "bae-sigmoid":
      return try make(.bae, seed: 102) {
        $0.outputActivation = .sigmoid
        $0.decoderBias = false
      }
    case "relu": return try make(.relu, seed: 103)
    case "topk": return try make(.topk, seed: 104)
    case "jumprelu":
      var ae = try make(.jumprelu, seed: 105)
      ae.weights.threshold = Matrix(rows: 1, columns: 64, values: (0..<64).map { 0.1 + 0.01 * Float($0 % 40) })
      return ae
    default: preconditionFailure("no fixture \(name)")
    }
  }

  static func folder(_ name: String) -> URL { Fixtures.resource("export/\(name)", in: "AutoencodersTests") }

  @Test(arguments: names)
  func committedFolderIsWhatExportWrites(name: String) throws {
    let ae = try Self.fixture(name)
    if ProcessInfo.processInfo.environment["BAE_REGENERATE_FIXTURES"] == "1" {
      try SAELensExport.write(ae, to: Self.folder(name))
    }
    let scratch = try ScratchDirectory("golden").url
    try SAELensExport.write(ae, to: scratch)
    for file in ["cfg.json", "sae_weights.safetensors"] {
      let committed = try Data(contentsOf: Self.folder(name).appendingPathComponent(file))
      let written = try Data(contentsOf: scratch.appendingPathComponent(file))
      #expect(committed == written, "\(name)/\(file) differs from what bae export writes now")
    }
  }

  @Test(arguments: names)
  func reconstructionsMatchNumPy(name: String) throws {
    let golden = try SafetensorsFile(Fixtures.resource("export/golden.safetensors", in: "AutoencodersTests"))
    let inputs = Matrix(rows: 8, columns: 16, values: try golden.floats("inputs"))
    let ae = try SAELensImport.read(from: Self.folder(name))
    #expect(ae == (try Self.fixture(name)))

    let codes = ae.encode(inputs, context: .serial)
    let expectedCodes = try golden.floats("codes.\(name)")
    let codeDiff = closeness(codes.values, expectedCodes)
    #expect(codeDiff.maxDiff <= Self.tolerance, "\(name) codes: \(codeDiff)")
    if ae.configuration.architecture == .bae { #expect(codes.values == expectedCodes) }

    let reconstruction = ae.decode(codes, context: .serial)
    let diff = closeness(reconstruction.values, try golden.floats("reconstruction.\(name)"))
    #expect(diff.maxDiff <= Self.tolerance, "\(name) reconstruction: \(diff)")
  }

  /// The bit order of `bae encode` is NumPy's `packbits(…, bitorder="little")`.
  @Test func packedBitsMatchNumPy() throws {
    let golden = try SafetensorsFile(Fixtures.resource("export/golden.safetensors", in: "AutoencodersTests"))
    let codes = try golden.floats("codes.bae")
    #expect(golden.info(for: "packed.bae")?.shape == [8, 8])
    let numpy = Array(try golden.rawBytes("packed.bae"))
    var packed = [UInt8](repeating: 0, count: 64)
    codes.withUnsafeBufferPointer { c in
      packed.withUnsafeMutableBufferPointer {
        packCodeBits($0.baseAddress!, codes: c.baseAddress!, rows: 8, columns: 64)
      }
    }
    #expect(packed == numpy)
  }
}
