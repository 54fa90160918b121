import Foundation

/// The repository root, found from this file's location.
public let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Where the committed fixtures and the (git-ignored) default model are, for every test target.
public enum Fixtures {
  /// `Tests/<target>/Resources/<path>`, a committed fixture.
  public static func resource(_ path: String, in target: String) -> URL {
    repositoryRoot.appendingPathComponent("Tests").appendingPathComponent(target)
      .appendingPathComponent("Resources").appendingPathComponent(path)
  }

  /// A tiny committed model (`Tests/ModelsTests/Resources/<name>`: `tiny-llama3-gqa`,
  /// `tiny-tied-mqa`, `tiny-linear-sharded`, `tiny-extract`, `gguf/tiny-tied-mqa.gguf`).
  public static func model(_ name: String) -> URL { resource(name, in: "ModelsTests") }

  /// The golden activations `scripts/make_fixtures.py` wrote for a tiny model.
  public static func golden(_ name: String) -> URL { model("golden/\(name).safetensors") }

  /// The default model's directory, `models/smollm2-135m-instruct` (present after `make setup`).
  public static let defaultModelDirectory = repositoryRoot.appendingPathComponent("models/smollm2-135m-instruct")

  /// The default model's GGUF file.
  public static let defaultModelFile = defaultModelDirectory.appendingPathComponent("SmolLM2-135M-Instruct.Q4_1.gguf")

  /// Whether the default model is installed; tests that need it are skipped otherwise.
  public static var defaultModelAvailable: Bool { FileManager.default.fileExists(atPath: defaultModelFile.path) }

  /// Why a test that needs the default model was skipped.
  public static let defaultModelMissing =
    "default model not fetched: run `bash scripts/fetch_model.sh` (make test does)"
}
