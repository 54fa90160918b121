import Foundation

/// The committed fixture folder (`Tests/ModelsTests/Resources`).
let resources: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources")

/// A tiny fixture model directory.
func fixtureModel(_ name: String) -> URL { resources.appendingPathComponent(name) }

/// The golden file produced by `scripts/make_fixtures.py` for a fixture model.
func goldenFile(_ name: String) -> URL {
  resources.appendingPathComponent("golden").appendingPathComponent("\(name).safetensors")
}

/// A scratch directory removed when the test process ends.
func temporaryDirectory() -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("bae-tests-\(UUID().uuidString)")
  try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}
