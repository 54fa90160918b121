import Checkpoints
import Foundation
import Models
import TensorCore
import TestSupport
import Testing

/// Bad checkpoints give one typed error that names the file and the tensor or field.
@Suite struct CheckpointErrorTests {
  /// A writable copy of a fixture model.
  func copyOfFixture(_ name: String = "tiny-llama3-gqa") throws -> URL {
    let directory = try ScratchDirectory().url(name)
    try FileManager.default.copyItem(at: Fixtures.model(name), to: directory)
    return directory
  }

  /// Rewrites `model.safetensors` of `directory` after `edit` changes the tensor list.
  func rewriteWeights(
    _ directory: URL, edit: (inout [(name: String, values: [Float], shape: [Int])]) -> Void,
    intTensor: String? = nil
  ) throws {
    let url = directory.appendingPathComponent("model.safetensors")
    let file = try SafetensorsFile(url)
    var tensors = try file.tensorNames.map { (name: $0, values: try file.floats($0), shape: file.info(for: $0)!.shape) }
    edit(&tensors)
    var writer = SafetensorsWriter()
    for t in tensors {
      if t.name == intTensor {
        writer.add(t.name, int32s: t.values.map { Int32($0) }, shape: t.shape)
      } else {
        writer.add(t.name, floats: t.values, shape: t.shape)
      }
    }
    try writer.write(to: url)
  }

  func loadError(_ directory: URL) -> CheckpointError? {
    do {
      _ = try LlamaModel.load(from: directory)
      return nil
    } catch {
      return error
    }
  }

  @Test func truncatedFileNamesFileAndTensor() throws {
    let directory = try copyOfFixture()
    let url = directory.appendingPathComponent("model.safetensors")
    let data = try Data(contentsOf: url)
    try data.prefix(data.count / 2).write(to: url)
    let error = try #require(loadError(directory))
    guard case .truncated(let file, let detail) = error else {
      Issue.record("expected .truncated, got \(error)")
      return
    }
    #expect(file == url)
    #expect(detail.contains("tensor '"))
    #expect(error.description.contains("model.safetensors"))
  }

  @Test(arguments: [0, 4, 7, 8, 20])
  func fileCutInsideHeaderIsTruncated(length: Int) throws {
    let directory = try copyOfFixture()
    let url = directory.appendingPathComponent("model.safetensors")
    try Data(try Data(contentsOf: url).prefix(length)).write(to: url)
    guard case .truncated = try #require(loadError(directory)) else {
      Issue.record("expected .truncated for a file of \(length) bytes")
      return
    }
  }

  @Test func garbageHeaderIsMalformed() throws {
    let directory = try copyOfFixture()
    let url = directory.appendingPathComponent("model.safetensors")
    var data = try Data(contentsOf: url)
    data.replaceSubrange(8..<16, with: Data("not json".utf8))
    try data.write(to: url)
    guard case .malformedHeader(let file, _) = try #require(loadError(directory)) else {
      Issue.record("expected .malformedHeader")
      return
    }
    #expect(file == url)
  }

  @Test func integerWeightIsUnsupportedDType() throws {
    let directory = try copyOfFixture()
    let name = "model.layers.1.mlp.up_proj.weight"
    try rewriteWeights(directory, edit: { _ in }, intTensor: name)
    let error = try #require(loadError(directory))
    #expect(
      error
        == .unsupportedDType(file: directory.appendingPathComponent("model.safetensors"), tensor: name, dtype: "I32"))
  }

  @Test func missingTensorIsNamed() throws {
    let directory = try copyOfFixture()
    let name = "model.layers.2.self_attn.k_proj.weight"
    try rewriteWeights(directory, edit: { $0.removeAll { $0.name == name } })
    #expect(
      loadError(directory) == .missingTensor(name: name, file: directory.appendingPathComponent("model.safetensors")))
  }

  @Test func leftoverTensorIsNamed() throws {
    let directory = try copyOfFixture()
    try rewriteWeights(
      directory, edit: { $0.append((name: "model.layers.9.extra.weight", values: [1, 2], shape: [2])) })
    let error = try #require(loadError(directory))
    guard case .unexpectedTensors(let names, _) = error else {
      Issue.record("expected .unexpectedTensors, got \(error)")
      return
    }
    #expect(names == ["model.layers.9.extra.weight"])
  }

  @Test func wrongShapeIsNamed() throws {
    let directory = try copyOfFixture()
    let name = "model.norm.weight"
    try rewriteWeights(
      directory,
      edit: { tensors in
        let i = tensors.firstIndex { $0.name == name }!
        tensors[i] = (name: name, values: [Float](repeating: 1, count: 63), shape: [63])
      })
    let error = try #require(loadError(directory))
    #expect(
      error
        == .shapeMismatch(
          name: name, file: directory.appendingPathComponent("model.safetensors"), expected: [64], found: [63]))
  }

  func editConfig(_ directory: URL, _ edit: (inout [String: Any]) -> Void) throws {
    let url = directory.appendingPathComponent("config.json")
    var json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    edit(&json)
    try JSONSerialization.data(withJSONObject: json).write(to: url)
  }

  @Test func unknownRoPEScalingNamesField() throws {
    let directory = try copyOfFixture()
    try editConfig(directory) { json in
      var rope = json["rope_parameters"] as! [String: Any]
      rope["rope_type"] = "yarn-unknown"
      json["rope_parameters"] = rope
    }
    let error = try #require(loadError(directory))
    guard case .invalidConfig(let file, let field, let detail) = error else {
      Issue.record("expected .invalidConfig, got \(error)")
      return
    }
    #expect(file.lastPathComponent == "config.json")
    #expect(field == "rope_parameters.rope_type")
    #expect(detail.contains("yarn-unknown"))
  }

  @Test func oldStyleUnknownRoPEScalingNamesField() throws {
    let directory = try copyOfFixture("tiny-tied-mqa")
    try editConfig(directory) { $0["rope_scaling"] = ["type": "dynamic", "factor": 2.0] }
    guard case .invalidConfig(_, let field, _) = try #require(loadError(directory)) else {
      Issue.record("expected .invalidConfig")
      return
    }
    #expect(field == "rope_scaling.rope_type")
  }

  @Test(arguments: ["hidden_size", "num_hidden_layers", "vocab_size"])
  func missingConfigFieldIsNamed(field: String) throws {
    let directory = try copyOfFixture()
    try editConfig(directory) { $0.removeValue(forKey: field) }
    guard case .invalidConfig(_, let named, let detail) = try #require(loadError(directory)) else {
      Issue.record("expected .invalidConfig")
      return
    }
    #expect(named == field)
    #expect(detail == "missing")
  }

  @Test func unsupportedArchitectureIsNamed() throws {
    let directory = try copyOfFixture()
    try editConfig(directory) { $0["model_type"] = "gemma3" }
    guard case .invalidConfig(_, let field, _) = try #require(loadError(directory)) else {
      Issue.record("expected .invalidConfig")
      return
    }
    #expect(field == "model_type")
  }

  @Test func missingShardIsNamed() throws {
    let directory = try copyOfFixture("tiny-linear-sharded")
    try FileManager.default.removeItem(at: directory.appendingPathComponent("model-00002-of-00002.safetensors"))
    guard case .unreadable(let file, _) = try #require(loadError(directory)) else {
      Issue.record("expected .unreadable")
      return
    }
    #expect(file.lastPathComponent == "model-00002-of-00002.safetensors")
  }

  @Test func notAModelDirectory() throws {
    let directory = try ScratchDirectory().url
    guard case .notAModel = try #require(loadError(directory)) else {
      Issue.record("expected .notAModel")
      return
    }
  }
}
