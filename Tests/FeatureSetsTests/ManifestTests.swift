import Corpora
import FeatureSets
import Foundation
import HookPoints
import TensorCore
import TestSupport
import Testing

@Suite struct ManifestTests {
  static func sample() -> FeatureManifest {
    FeatureManifest(
      model: .init(path: "models/x", layerCount: 2, hiddenSize: 8, vocabularySize: 32),
      hooks: [HookRecord(point: .mlpInput(layer: 1), width: 8), HookRecord(point: .logits, width: 32)],
      options: ExtractionOptions(hooks: [.mlpInput(layer: 1), .logits], shardTokens: 10, dtype: .float16),
      corpus: .init(
        paths: ["a.jsonl"], files: ["a.jsonl"],
        options: CorpusOptions(
          format: .jsonl(field: "meta.text"), include: ["meta.pile_set_name": ["B", "A"]], policy: .skip)),
      compute: ComputeContext(threads: 3))
  }

  @Test func roundTripsThroughJSONWithTypedValues() throws {
    let directory = try temporaryScratch()
    let manifest = Self.sample()
    try manifest.write(to: directory)
    let loaded = try FeatureManifest.load(from: directory)
    #expect(loaded == manifest)
    #expect(
      loaded.hooks[0].site == .mlpInput && loaded.hooks[0].layer == 1 && loaded.hooks[0].point == .mlpInput(layer: 1))
    #expect(loaded.hooks[1].layer == nil && loaded.hooks[1].site == .logits)
    #expect(loaded.options.hooks == [.mlpInput(layer: 1), .logits])
    let json = try String(contentsOf: FeatureManifest.url(in: directory), encoding: .utf8)
    // Documented, human-readable spellings.
    #expect(json.contains("\"blocks.1.ln2.hook_normalized\""))
    #expect(json.contains("\"site\" : \"mlp_in\""))
    #expect(json.contains("\"kind\" : \"jsonl\""))
    #expect(json.contains("\"threads\" : 3"))
  }

  @Test func refusesOtherVersionsAndContradictions() throws {
    let directory = try temporaryScratch()
    try Self.sample().write(to: directory)
    let url = FeatureManifest.url(in: directory)
    let json = try String(contentsOf: url, encoding: .utf8)

    try json.replacingOccurrences(of: "\"version\" : 2", with: "\"version\" : 1").write(
      to: url, atomically: true, encoding: .utf8)
    #expect { try FeatureManifest.load(from: directory) } throws: { error in
      "\(error)".contains("format version 1") && "\(error)".contains("re-extract")
    }
    try json.replacingOccurrences(of: "\"site\" : \"mlp_in\"", with: "\"site\" : \"mlp_out\"").write(
      to: url, atomically: true, encoding: .utf8)
    #expect { try FeatureManifest.load(from: directory) } throws: { error in "\(error)".contains("contradicts name") }
    try "{\"format\": \"something-else\"}".write(to: url, atomically: true, encoding: .utf8)
    #expect { try FeatureManifest.load(from: directory) } throws: { error in
      "\(error)".contains("not a bae feature-set manifest")
    }
    try FileManager.default.removeItem(at: url)
    #expect(throws: FeatureSetError.missingManifest(directory: directory)) { try FeatureManifest.load(from: directory) }
  }

  @Test func optionErrorsNameTheOption() {
    var options = ExtractionOptions(hooks: [.residualPost(layer: 0)], context: 16, skipFirst: 16, shardTokens: 10)
    #expect(throws: ExtractionOptionError(option: .skipFirst, reason: "must be in 0..<context (16), got 16")) {
      try options.validate()
    }
    options.skipFirst = 1
    options.fileFormat = .npy
    options.dtype = .bfloat16
    #expect { try options.validate() } throws: { ($0 as? ExtractionOptionError)?.option == .dtype }
  }
}

func temporaryScratch() throws -> URL { try ScratchDirectory("manifest").url }
