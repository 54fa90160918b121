import Corpora
import FeatureSets
import Foundation

/// A corpus file of one format (by its extension), read to the end under the default
/// (`fail`) bad-input policy.
func fuzzCorpus(_ input: Data, fileName: String) {
  let url = scratchFile(fileName, input)
  do {
    let corpus = try Corpus(path: url.path)
    while try corpus.next() != nil {}
  } catch {
    MessageCheck.check(error)
  }
}

/// A feature-set `manifest.json`.
func fuzzManifest(_ input: Data) {
  let directory = scratchDirectory.appendingPathComponent("features")
  try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  _ = scratchFile("features/manifest.json", input)
  do {
    _ = try FeatureManifest.load(from: directory)
  } catch {
    MessageCheck.check(error)
  }
}
