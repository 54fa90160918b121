import Checkpoints
import Foundation
import HookPoints
import Models
import TensorCore
import TestSupport
import Testing

/// Loading Llama models from GGUF: metadata mapping, tensor names, llama.cpp's q/k row
/// permutation, tied embeddings; and the errors for files bae cannot run.
@Suite struct GGUFModelTests {
  static let tinyGGUF = Fixtures.model("gguf/tiny-tied-mqa.gguf")

  @Test func tinyGGUFMatchesTransformersGolden() throws {
    let model = try LlamaModel.load(from: Self.tinyGGUF)
    let reference = try LlamaModel.load(from: Fixtures.model("tiny-tied-mqa"))
    #expect(
      model.configuration
        == LlamaConfiguration(
          hiddenSize: 64, intermediateSize: 128, layerCount: 2, headCount: 4, kvHeadCount: 1, headDim: 16,
          vocabularySize: 96, rmsNormEpsilon: 1e-6, ropeTheta: 500000, tieWordEmbeddings: true,
          maxPositionEmbeddings: 256))
    #expect(model.weights.layers[1].query == reference.weights.layers[1].query, "q rows must be un-permuted")
    let golden = try SafetensorsFile(Fixtures.golden("tiny-tied-mqa"))
    let batch = try (0..<5).map { try golden.int32s("s\($0).token_ids") }
    let points: [HookPoint] = [.residualPost(layer: 0), .mlpInput(layer: 1), .finalNorm, .logits]
    var recorder = ActivationRecorder(points)
    try model.forward(
      batch: batch, state: LlamaRunState(configuration: model.configuration), hooks: &recorder,
      context: ComputeContext())
    for point in points {
      for s in 0..<5 {
        let diff = maxAbsDiff(
          try #require(recorder.values(point, sequence: s)), try golden.floats("s\(s).\(point.name)"))
        #expect(diff <= 1e-4, "\(point.name) s\(s): maxdiff \(diff)")
      }
    }
  }

  @Test func unsupportedArchitectureIsNamed() throws {
    let url = Fixtures.model("gguf/tiny-gemma3.gguf")
    #expect(
      throws: CheckpointError.invalidConfig(
        file: url, field: "general.architecture", detail: "'gemma3' is not supported; bae runs the 'llama' architecture"
      )
    ) {
      _ = try LlamaModel.load(from: url)
    }
  }

  @Test(arguments: [3, 100, 2000, 200_000])
  func truncatedGGUFIsReported(length: Int) throws {
    let url = try ScratchDirectory().url("cut.gguf")
    try Data(try Data(contentsOf: Self.tinyGGUF).prefix(length)).write(to: url)
    do {
      _ = try LlamaModel.load(from: url)
      Issue.record("loading a GGUF cut at \(length) bytes succeeded")
    } catch {
      switch error {
      case .truncated(let file, _), .malformedHeader(let file, _): #expect(file == url)
      default: Issue.record("unexpected error \(error)")
      }
    }
  }

  @Test func directoryHoldingOneGGUFIsAccepted() throws {
    let directory = try ScratchDirectory().url
    try FileManager.default.copyItem(at: Self.tinyGGUF, to: directory.appendingPathComponent("m.gguf"))
    let location = try ModelLocation(classifying: directory)
    #expect(location.kind == .ggufFile)
    #expect(location.url == directory.appendingPathComponent("m.gguf"))
    #expect(location.requestedURL == directory)
  }

  @Test func inspectionListsQuantTypesAndTokenizerFacts() throws {
    let report = try ModelInspection(path: Self.tinyGGUF)
    #expect(report.format == "GGUF v3")
    #expect(report.storedTypeCounts == ["F32": 20])
    #expect(report.notes.contains { $0.0 == "template:" && $0.1 == "no chat template" })
  }
}

/// `exportHuggingFace` writes a directory that loads back to the same model.
@Suite struct ExportTests {
  @Test func ggufExportRoundTripsThroughHuggingFaceLayout() throws {
    let model = try LlamaModel.load(from: GGUFModelTests.tinyGGUF)
    let directory = try ScratchDirectory().url("hf")
    try model.exportHuggingFace(to: directory)
    let reloaded = try LlamaModel.load(from: directory)
    var configuration = reloaded.configuration
    #expect(configuration.declaredDType == "float32")
    configuration.declaredDType = nil
    #expect(configuration == model.configuration)
    #expect(reloaded.weights.layers[0].key == model.weights.layers[0].key)
    #expect(reloaded.weights.tokenEmbedding == model.weights.tokenEmbedding)
    #expect(reloaded.weights.lmHead == nil)
  }

  @Test func bf16ExportRoundsWeights() throws {
    let model = try LlamaModel.load(from: Fixtures.model("tiny-llama3-gqa"))
    let directory = try ScratchDirectory().url("hf16")
    try model.exportHuggingFace(to: directory, dtype: .bfloat16)
    let reloaded = try LlamaModel.load(from: directory)
    var configuration = reloaded.configuration
    #expect(configuration.declaredDType == "bfloat16")
    configuration.declaredDType = model.configuration.declaredDType
    #expect(configuration == model.configuration)
    #expect(maxAbsDiff(reloaded.weights.layers[2].down.floats, model.weights.layers[2].down.floats) <= 4e-3)
  }
}
