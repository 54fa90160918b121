import Checkpoints
import Foundation
import HookPoints
import Models
import TensorCore
import TestSupport
import Testing

/// Configurations a hostile or damaged checkpoint could declare (issue #14, items 3, 4, 8 and 9):
/// each is refused with an error naming the field before anything is allocated, never a trap.
@Suite struct HostileConfigTests {
  let configs = LlamaConfigurationTests()

  /// The `(field, detail)` of the config error `json` gives.
  func problem(_ changes: [String: String?]) -> (field: String, detail: String)? {
    configs.problem(LlamaConfigurationTests.config(changes))
  }

  @Test func intermediateSizeOf2To62IsRefusedByInspect() throws {
    let directory = try ScratchDirectory("huge-config")
    let source = Fixtures.model("tiny-tied-mqa")
    var json = try String(contentsOf: source.appendingPathComponent("config.json"), encoding: .utf8)
    json = json.replacingOccurrences(
      of: #""intermediate_size": 128"#, with: #""intermediate_size": 4611686018427387904"#)
    try Data(json.utf8).write(to: directory.url("config.json"))
    try FileManager.default.copyItem(
      at: source.appendingPathComponent("model.safetensors"), to: directory.url("model.safetensors"))
    do {
      _ = try ModelInspection(path: directory.url)
      Issue.record("inspected")
    } catch {
      guard case .invalidConfig(_, let field, let detail) = error else {
        Issue.record("expected invalidConfig, got \(error)")
        return
      }
      #expect(field == "intermediate_size")
      #expect(detail.contains("larger than bae accepts"))
    }
  }

  @Test(arguments: [
    ("num_hidden_layers", "10000000"), ("hidden_size", "1e15"), ("vocab_size", "4294967296"),
    ("num_attention_heads", "1048576"), ("max_position_embeddings", "0"),
  ])
  func hugeOrZeroSizesAreRefused(field: String, value: String) {
    let found = problem([field: value])
    #expect(found?.field == field)
  }

  @Test(arguments: [
    (#"{"rope_type": "linear", "factor": 0}"#, "rope_parameters.factor"),
    (#"{"rope_type": "linear", "factor": -2}"#, "rope_parameters.factor"),
    (
      #"{"rope_type": "llama3", "factor": 8, "low_freq_factor": 4, "high_freq_factor": 1, "original_max_position_embeddings": 64}"#,
      "rope_parameters.high_freq_factor"
    ),
    (
      #"{"rope_type": "llama3", "factor": 8, "low_freq_factor": -1, "high_freq_factor": 4, "original_max_position_embeddings": 64}"#,
      "rope_parameters.low_freq_factor"
    ),
    (
      #"{"rope_type": "llama3", "factor": 8, "low_freq_factor": 1, "high_freq_factor": 4, "original_max_position_embeddings": 0}"#,
      "rope_parameters.original_max_position_embeddings"
    ),
    (#"{"rope_type": "default", "rope_theta": 0}"#, "rope_theta"),
    (#""linear""#, "rope_parameters"), (#"[1, 2]"#, "rope_parameters"), ("7", "rope_parameters"),
  ])
  func badRoPEParametersAreConfigErrors(rope: String, field: String) {
    #expect(problem(["rope_parameters": rope])?.field == field)
  }

  @Test func badRoPEScalingIsNamedAsWritten() {
    #expect(problem(["rope_scaling": #"{"type": "linear", "factor": 0}"#])?.field == "rope_scaling.factor")
    #expect(problem(["rope_scaling": #""yes""#])?.field == "rope_scaling")
    #expect(problem(["rope_scaling": "null"]) == nil)
  }

  @Test func untrustedStringsInConfigErrorsAreEscaped() throws {
    let json = LlamaConfigurationTests.config(["model_type": #""\u001b[2Jgpt""#])
    do {
      _ = try configs.load(json)
      Issue.record("loaded")
    } catch {
      #expect(error.description.contains(#"\u{1B}[2Jgpt"#))
      #expect(!error.description.unicodeScalars.contains { $0.value < 0x20 })
    }
  }

  /// A GGUF with llama metadata and no tensors.
  func ggufModel(blockCount: UInt32) throws -> URL {
    var builder = GGUFBuilder()
    builder.metadata = [
      ("general.architecture", .string("llama")), ("llama.embedding_length", .uint32(8)),
      ("llama.attention.head_count", .uint32(2)), ("llama.feed_forward_length", .uint32(16)),
      ("llama.block_count", .uint32(blockCount)), ("llama.vocab_size", .uint32(4)),
    ]
    builder.tensors = [(name: "token_embd.weight", dims: [8, 4], values: Array(repeating: 0, count: 32))]
    let url = try ScratchDirectory("hostile-gguf").url("model.gguf")
    try builder.bytes().write(to: url)
    return url
  }

  @Test func ggufBlockCountOf10To7IsAConfigError() throws {
    let url = try ggufModel(blockCount: 10_000_000)
    do {
      _ = try LlamaModel.load(from: url)
      Issue.record("loaded")
    } catch {
      guard case .invalidConfig(_, let field, _) = error else {
        Issue.record("expected invalidConfig, got \(error)")
        return
      }
      #expect(field == "llama.block_count")
    }
  }

  @Test func layerCountBeyondTheTensorsPresentIsRefusedBeforeListingNames() throws {
    let url = try ggufModel(blockCount: 5000)
    do {
      _ = try LlamaModel.load(from: url)
      Issue.record("loaded")
    } catch {
      guard case .invalidConfig(_, let field, let detail) = error else {
        Issue.record("expected invalidConfig, got \(error)")
        return
      }
      #expect(field == "llama.block_count")
      #expect(detail.contains("holds only 1 tensors"))
    }
  }

  @Test func forwardPastTheTrainedContextReturnsAWarning() throws {
    let loaded = try LlamaModel.load(from: Fixtures.model("tiny-tied-mqa"))
    var configuration = loaded.configuration
    configuration.maxPositionEmbeddings = 4
    let model = LlamaModel(configuration: configuration, weights: loaded.weights, source: loaded.source)
    let state = LlamaRunState(configuration: configuration)
    var recorder = ActivationRecorder([.finalNorm])
    let context = ComputeContext(threads: 1)
    let fits = try model.forward(batch: [[1, 2, 3, 4]], state: state, hooks: &recorder, context: context)
    #expect(fits == nil)
    let long = try model.forward(
      batch: [[1, 2], [1, 2, 3, 4, 5, 6]], state: state, hooks: &recorder, context: context)
    #expect(long == ContextLengthWarning(longestSequence: 6, maximumPositions: 4))
    #expect(long?.description.contains("max_position_embeddings") == true)
  }
}
