import Autoencoders
import Checkpoints
import Foundation
import JSONSupport
import TensorCore
import TestSupport
import Testing

/// `bae export` / `bae import` in the SAELens layout: exact round trips, the keys SAELens reads,
/// SAELens's own spellings (6.x and pre-6.0, `apply_b_dec_to_input` folded), and refusals.
@Suite struct SAELensExportTests {
  /// A seeded autoencoder of `architecture` (`d = 6`, `m = 10`) with recorded hooks.
  static func autoencoder(_ architecture: Architecture, decoderBias: Bool = true, seed: UInt64 = 3) throws
    -> Autoencoder
  {
    var c = AutoencoderConfiguration(
      architecture: architecture, inputWidth: 6, codeWidth: 10, decoderBias: decoderBias, topK: 3,
      inputHook: "blocks.2.ln2.hook_normalized", model: "tiny")
    if architecture == .transcoder { c.targetHook = "blocks.2.hook_mlp_out" }
    if architecture == .bae {
      c.outputActivation = .tanh
      c.estimator = .squarewave
    }
    var ae = try Autoencoder(configuration: c, seed: seed)
    if architecture == .jumprelu {
      ae.weights.threshold = Matrix(rows: 1, columns: 10, values: (0..<10).map { 0.05 * Float($0) })
    }
    return ae
  }

  /// The parsed `cfg.json` of a folder.
  static func config(in folder: URL) throws -> JSONValue {
    try JSONValue.parse(Data(contentsOf: folder.appendingPathComponent("cfg.json")))
  }

  /// Writes `cfg` and `tensors` as a SAELens folder (for foreign and broken files).
  static func writeFolder(_ folder: URL, cfg: String, tensors: [(String, [Float], [Int])]) throws {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try Data(cfg.utf8).write(to: folder.appendingPathComponent("cfg.json"))
    var writer = SafetensorsWriter()
    for (name, values, shape) in tensors { writer.add(name, floats: values, shape: shape) }
    try writer.write(to: folder.appendingPathComponent("sae_weights.safetensors"))
  }

  /// The `SAELensError` thrown by `body`, or `nil`.
  static func saeLensError(_ body: () throws -> Void) -> SAELensError? {
    do {
      try body()
      return nil
    } catch let error as SAELensError {
      return error
    } catch {
      return nil
    }
  }

  @Test(arguments: [Architecture.bae, .relu, .topk, .jumprelu, .transcoder])
  func roundTripIsExact(architecture: Architecture) throws {
    let folder = try ScratchDirectory("export").url
    let ae = try Self.autoencoder(architecture)
    try SAELensExport.write(ae, to: folder)
    let back = try SAELensImport.read(from: folder)
    #expect(back == ae)
  }

  @Test func roundTripKeepsAMissingDecoderBias() throws {
    let folder = try ScratchDirectory("export").url
    let ae = try Self.autoencoder(.bae, decoderBias: false)
    try SAELensExport.write(ae, to: folder)
    let cfg = try Self.config(in: folder)
    #expect(cfg["decoder_bias"] == .bool(false))
    #expect(try SAELensImport.read(from: folder) == ae)
  }

  @Test func configHoldsTheKeysSAELensReads() throws {
    let folder = try ScratchDirectory("export").url
    try SAELensExport.write(try Self.autoencoder(.topk), to: folder)
    let cfg = try Self.config(in: folder)
    #expect(cfg["architecture"] == "topk")
    #expect(cfg["d_in"] == 6 && cfg["d_sae"] == 10 && cfg["k"] == 3)
    #expect(cfg["activation_fn_kwargs"]?["k"] == 3)
    #expect(cfg["dtype"] == "float32" && cfg["device"] == "cpu")
    #expect(cfg["apply_b_dec_to_input"] == .bool(false) && cfg["normalize_activations"] == "none")
    #expect(cfg["hook_name"] == "blocks.2.ln2.hook_normalized" && cfg["hook_layer"] == 2 && cfg["model_name"] == "tiny")
    let metadata = try #require(cfg["metadata"])
    #expect(metadata["sae_lens_version"] == "6.0.0")
    #expect(metadata["hook_name"] == "blocks.2.ln2.hook_normalized" && metadata["model_name"] == "tiny")

    let file = try SafetensorsFile(folder.appendingPathComponent("sae_weights.safetensors"))
    #expect(file.tensorNames == ["W_dec", "W_enc", "b_dec", "b_enc"])
    #expect(file.info(for: "W_enc")?.shape == [6, 10] && file.info(for: "W_dec")?.shape == [10, 6])
    #expect(file.info(for: "b_enc")?.shape == [10] && file.info(for: "b_dec")?.shape == [6])
    #expect(file.info(for: "W_enc")?.storedType == "F32")
  }

  @Test func baeAndJumpReLUKeys() throws {
    let bae = try ScratchDirectory("export").url
    try SAELensExport.write(try Self.autoencoder(.bae), to: bae)
    let cfg = try Self.config(in: bae)
    #expect(cfg["architecture"] == "bae")
    #expect(
      cfg["estimator"] == "squarewave" && cfg["output_activation"] == "tanh" && cfg["decoder_bias"] == .bool(true))

    let jump = try ScratchDirectory("export").url
    try SAELensExport.write(try Self.autoencoder(.jumprelu), to: jump)
    #expect(try Self.config(in: jump)["architecture"] == "jumprelu")
    let file = try SafetensorsFile(jump.appendingPathComponent("sae_weights.safetensors"))
    #expect(file.info(for: "threshold")?.shape == [10])

    let transcoder = try ScratchDirectory("export").url
    try SAELensExport.write(try Self.autoencoder(.transcoder), to: transcoder)
    let tc = try Self.config(in: transcoder)
    #expect(tc["architecture"] == "standard" && tc["metadata"]?["hook_name_out"] == "blocks.2.hook_mlp_out")
  }

  @Test func exportNamesTheHookAndModelGiven() throws {
    let folder = try ScratchDirectory("export").url
    try SAELensExport.write(
      try Self.autoencoder(.relu), to: folder, hookName: "blocks.7.hook_resid_pre", modelName: "llama")
    let cfg = try Self.config(in: folder)
    #expect(cfg["hook_name"] == "blocks.7.hook_resid_pre" && cfg["hook_layer"] == 7 && cfg["model_name"] == "llama")
    let back = try SAELensImport.read(from: folder)
    #expect(back.configuration.inputHook == "blocks.7.hook_resid_pre" && back.configuration.model == "llama")
  }

  @Test func exportRefusesWhatSAELensCannotRepresent() throws {
    let folder = try ScratchDirectory("export").url
    let batch = try Self.autoencoder(.batchtopk)
    let e1 = Self.saeLensError { try SAELensExport.write(batch, to: folder) }
    guard case .cannotExport(let architecture, let reason) = e1 else {
      Issue.record("got \(String(describing: e1))")
      return
    }
    #expect(architecture == "batchtopk" && reason.contains("whole batch"))

    var sigmoid = try Self.autoencoder(.relu)
    sigmoid.configuration.outputActivation = .sigmoid
    let e2 = Self.saeLensError { try SAELensExport.write(sigmoid, to: folder) }
    #expect(e2?.description.contains("no output activation") == true, "\(String(describing: e2))")

    var negative = try Self.autoencoder(.jumprelu)
    negative.weights.threshold.values[4] = -0.1
    let e3 = Self.saeLensError { try SAELensExport.write(negative, to: folder) }
    #expect(e3?.description.contains("code 4 has threshold -0.1") == true, "\(String(describing: e3))")
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("cfg.json").path))
  }

  // MARK: SAELens's own files

  /// A ReLU SAE in SAELens's 6.x spelling with `apply_b_dec_to_input: true`.
  @Test func importFoldsDecoderBiasIntoTheEncoder() throws {
    let folder = try ScratchDirectory("import").url
    var random = SeededRandom(seed: 9)
    let (d, m) = (4, 7)
    let wEnc = random.floats(d * m)
    let bEnc = random.floats(m)
    let wDec = random.floats(m * d)
    let bDec = random.floats(d)
    try Self.writeFolder(
      folder,
      cfg: """
        {"architecture": "standard", "d_in": 4, "d_sae": 7, "dtype": "float32", "device": "cpu",
         "apply_b_dec_to_input": true, "normalize_activations": "none", "reshape_activations": "none",
         "metadata": {"sae_lens_version": "6.5.1", "model_name": "gpt2", "hook_name": "blocks.3.hook_resid_pre"}}
        """,
      tensors: [("W_enc", wEnc, [d, m]), ("b_enc", bEnc, [m]), ("W_dec", wDec, [m, d]), ("b_dec", bDec, [d])])
    let ae = try SAELensImport.read(from: folder)
    #expect(ae.configuration.architecture == .relu && ae.configuration.inputHook == "blocks.3.hook_resid_pre")
    #expect(ae.configuration.model == "gpt2")

    // SAELens: ReLU((x − b_dec)·W_enc + b_enc)·W_dec + b_dec, in Double.
    let x = random.floats(5 * d)
    var expected: [Float] = []
    for r in 0..<5 {
      var h = [Double](repeating: 0, count: m)
      for j in 0..<m {
        var z = Double(bEnc[j])
        for i in 0..<d { z += (Double(x[r * d + i]) - Double(bDec[i])) * Double(wEnc[i * m + j]) }
        h[j] = max(z, 0)
      }
      for i in 0..<d {
        var out = Double(bDec[i])
        for j in 0..<m { out += h[j] * Double(wDec[j * d + i]) }
        expected.append(Float(out))
      }
    }
    let got = ae.reconstruct(Matrix(rows: 5, columns: d, values: x), context: .serial)
    let close = closeness(got.values, expected)
    #expect(close.maxDiff < 1e-5, "\(close)")
  }

  @Test func importReadsThePre6Spelling() throws {
    let folder = try ScratchDirectory("import").url
    let (d, m) = (3, 5)
    try Self.writeFolder(
      folder,
      cfg: """
        {"d_in": 3, "d_sae": 5, "hook_point": "blocks.0.hook_resid_post", "model_name": "m",
         "activation_fn_str": "topk", "activation_fn_kwargs": {"k": 2}, "apply_b_dec_to_input": false,
         "normalize_activations": false, "sae_lens_training_version": "3.0.0"}
        """,
      tensors: [
        ("W_enc", [Float](repeating: 0.1, count: d * m), [d, m]), ("b_enc", [Float](repeating: 0, count: m), [1, m]),
        ("W_dec", [Float](repeating: 0.2, count: m * d), [m, d]), ("b_dec", [Float](repeating: 0, count: d), [d]),
      ])
    let ae = try SAELensImport.read(from: folder)
    #expect(ae.configuration.architecture == .topk && ae.configuration.topK == 2)
    #expect(ae.configuration.inputHook == "blocks.0.hook_resid_post")
  }

  @Test func importReadsJumpReLUThresholds() throws {
    let folder = try ScratchDirectory("import").url
    let (d, m) = (2, 3)
    try Self.writeFolder(
      folder,
      cfg:
        #"{"architecture": "jumprelu", "d_in": 2, "d_sae": 3, "apply_b_dec_to_input": false, "metadata": {"sae_lens_version": "6.0.0"}}"#,
      tensors: [
        ("W_enc", [1, 0, 0, 0, 1, 0], [d, m]), ("b_enc", [0, 0, 0], [m]), ("W_dec", [1, 0, 0, 1, 1, 1], [m, d]),
        ("b_dec", [0, 0], [d]), ("threshold", [0.25, 0.25, 0.25], [m]),
      ])
    let ae = try SAELensImport.read(from: folder)
    #expect(ae.configuration.architecture == .jumprelu && ae.configuration.jumpThreshold == 0.25)
    let codes = ae.encode(Matrix(rows: 1, columns: 2, values: [0.3, 0.2]), context: .serial)
    #expect(codes.values == [0.3, 0, 0])
  }

  // MARK: Refusals

  static let goodTensors: [(String, [Float], [Int])] = [
    ("W_enc", [Float](repeating: 0, count: 6), [2, 3]), ("b_enc", [0, 0, 0], [3]),
    ("W_dec", [Float](repeating: 0, count: 6), [3, 2]), ("b_dec", [0, 0], [2]),
  ]

  @Test func importRefusesArchitecturesItCannotRun() throws {
    let folder = try ScratchDirectory("import").url
    try Self.writeFolder(folder, cfg: #"{"architecture": "gated", "d_in": 2, "d_sae": 3}"#, tensors: Self.goodTensors)
    let error = Self.saeLensError { _ = try SAELensImport.read(from: folder) }
    guard case .unsupportedArchitecture(let name, _, let supported) = error else {
      Issue.record("got \(String(describing: error))")
      return
    }
    #expect(name == "gated" && supported == ["standard", "topk", "jumprelu", "bae"])
  }

  @Test(arguments: [
    (
      #"{"architecture": "standard", "d_in": 2, "d_sae": 3, "normalize_activations": "layer_norm"}"#,
      "normalize_activations layer_norm"
    ),
    (
      #"{"architecture": "standard", "d_in": 2, "d_sae": 3, "reshape_activations": "hook_z"}"#,
      "reshape_activations hook_z"
    ),
    (
      #"{"architecture": "topk", "d_in": 2, "d_sae": 3, "k": 1, "rescale_acts_by_decoder_norm": true}"#,
      "rescale_acts_by_decoder_norm"
    ),
  ])
  func importRefusesSettingsItCannotApply(cfg: String, expected: String) throws {
    let folder = try ScratchDirectory("import").url
    try Self.writeFolder(folder, cfg: cfg, tensors: Self.goodTensors)
    let error = Self.saeLensError { _ = try SAELensImport.read(from: folder) }
    guard case .unsupportedSetting = error else {
      Issue.record("got \(String(describing: error))")
      return
    }
    #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
  }

  @Test(arguments: [
    ("not json", "not valid JSON"),
    (#"{"architecture": "standard", "d_sae": 3}"#, "`d_in`: required field is missing"),
    (#"{"architecture": "standard", "d_in": "2", "d_sae": 3}"#, "`d_in`: expected an integer, found a string"),
    (#"{"architecture": "topk", "d_in": 2, "d_sae": 3}"#, "a topk SAE needs k"),
    (#"{"architecture": "standard", "d_in": 0, "d_sae": 3}"#, "must be positive"),
    (#"{"architecture": "bae", "d_in": 2, "d_sae": 3, "output_activation": "softmax"}"#, "output_activation 'softmax'"),
  ])
  func importRefusesMalformedConfigs(cfg: String, expected: String) throws {
    let folder = try ScratchDirectory("import").url
    try Self.writeFolder(folder, cfg: cfg, tensors: Self.goodTensors)
    let error = Self.saeLensError { _ = try SAELensImport.read(from: folder) }
    guard case .malformedConfig = error else {
      Issue.record("got \(String(describing: error))")
      return
    }
    #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
  }

  @Test func importRefusesAFolderWithoutConfig() throws {
    let folder = try ScratchDirectory("import").url
    let error = Self.saeLensError { _ = try SAELensImport.read(from: folder) }
    #expect(error?.description.contains("no cfg.json: not a SAELens folder") == true, "\(String(describing: error))")
  }

  @Test func importChecksTensors() throws {
    let cfg = #"{"architecture": "standard", "d_in": 2, "d_sae": 3, "apply_b_dec_to_input": false}"#
    let folder = try ScratchDirectory("import").url

    var wrongShape = Self.goodTensors
    wrongShape[0] = ("W_enc", [Float](repeating: 0, count: 6), [3, 2])
    try Self.writeFolder(folder, cfg: cfg, tensors: wrongShape)
    let e1 = Self.saeLensError { _ = try SAELensImport.read(from: folder) }
    guard case .tensorShape(let name, _, let found, let expected) = e1 else {
      Issue.record("got \(String(describing: e1))")
      return
    }
    #expect(name == "W_enc" && found == [3, 2] && expected == [2, 3])

    try Self.writeFolder(folder, cfg: cfg, tensors: Array(Self.goodTensors.dropLast()))
    #expect(
      Self.saeLensError { _ = try SAELensImport.read(from: folder) }
        == .missingTensor(name: "b_dec", file: folder.appendingPathComponent("sae_weights.safetensors")))

    try Self.writeFolder(folder, cfg: cfg, tensors: Self.goodTensors + [("W_skip", [0, 0, 0, 0], [2, 2])])
    #expect(
      Self.saeLensError { _ = try SAELensImport.read(from: folder) }
        == .unexpectedTensor(name: "W_skip", file: folder.appendingPathComponent("sae_weights.safetensors")))

    var nan = Self.goodTensors
    nan[1] = ("b_enc", [0, .nan, 0], [3])
    try Self.writeFolder(folder, cfg: cfg, tensors: nan)
    #expect(Self.saeLensError { _ = try SAELensImport.read(from: folder) }?.description.contains("NaN") == true)
  }

  @Test func importRefusesNegativeJumpReLUThresholds() throws {
    let folder = try ScratchDirectory("import").url
    try Self.writeFolder(
      folder, cfg: #"{"architecture": "jumprelu", "d_in": 2, "d_sae": 3, "apply_b_dec_to_input": false}"#,
      tensors: Self.goodTensors + [("threshold", [0.1, -0.2, 0.1], [3])])
    let error = Self.saeLensError { _ = try SAELensImport.read(from: folder) }
    guard case .unsupportedSetting(let key, _, _, _) = error else {
      Issue.record("got \(String(describing: error))")
      return
    }
    #expect(key == "threshold[1]")
  }
}
