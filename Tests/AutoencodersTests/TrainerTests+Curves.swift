import Autoencoders
import Foundation
import TestSupport
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

extension TrainerTests {
  /// The series `curves.svg` plots for a BAE with validation rows, panel by panel.
  static let baeCurveSeries = [
    ["train MSE", "validation MSE", "train total", "validation total"], ["train", "validation"],
    ["train", "validation"],
    ["validation rows"], ["L0 (mean 1 bits per row)", "dead", "dense"],
  ]

  /// A run writes `curves.svg` with its checkpoints and at the end: a well-formed document with
  /// one path per plotted series, each through every epoch; a resumed run plots the epochs of
  /// the run before it too.
  @Test func trainingWritesCurvesOfEveryEpoch() throws {
    let x = Self.data()
    let options = Self.options(epochs: 4)
    let configuration = AutoencoderConfiguration(architecture: .bae, inputWidth: 12, codeWidth: 48)
    let directory = try ScratchDirectory("curves").url
    let curves = directory.appendingPathComponent(TrainingCurves.fileName)

    let first = try Trainer(
      configuration: configuration, options: options, inputs: x, output: directory, context: .serial)
    first.stopAfterEpochs = 3  // checkpoint (and curves) after epoch 2; epoch 3 is dropped on resume
    _ = try first.run()
    #expect(try Self.plottedEpochs(curves) == 2)

    _ = try Trainer(
      configuration: configuration, options: options, inputs: x, output: directory, resume: true, context: .serial
    ).run()
    let tree = try XMLTree(String(contentsOf: curves, encoding: .utf8))
    let panels = tree.elements(withClass: "panel")
    #expect(
      panels.map { $0.descendants(withClass: "legend-entry").compactMap { $0.attributeValue("data-series") } }
        == Self.baeCurveSeries)
    #expect(panels.map { $0.descendants(named: "path").count } == Self.baeCurveSeries.map(\.count))
    #expect(tree.elements(named: "path").count == Self.baeCurveSeries.joined().count)
    #expect(try Self.plottedEpochs(curves) == 4)
    #expect(tree.elements(withClass: "figure-title").first?.stringValue == "BAE, 12 → 48 codes: training curves")
    #expect(tree.elements(withClass: "axis-title").compactMap(\.stringValue).contains("entropy (bits)"))
  }

  /// A ReLU SAE's curves show its L1 penalty instead of entropy and covariance.
  @Test func saeCurvesShowTheL1Penalty() throws {
    var options = Self.options(epochs: 2)
    options.l1Weight = 1e-4
    options.trainFraction = 1  // no validation rows: training series only
    let configuration = AutoencoderConfiguration(architecture: .relu, inputWidth: 12, codeWidth: 48)
    let directory = try ScratchDirectory("sae-curves").url
    _ = try Trainer(
      configuration: configuration, options: options, inputs: Self.data(), output: directory, context: .serial
    ).run()
    let tree = try XMLTree(
      String(contentsOf: directory.appendingPathComponent(TrainingCurves.fileName), encoding: .utf8))
    #expect(
      tree.elements(withClass: "title").compactMap(\.stringValue) == [
        "Loss terms", "L1 penalty", "Fraction of variance unexplained", "Codes",
      ])
    #expect(
      tree.elements(named: "path").compactMap { $0.attributeValue("data-series") } == [
        "train MSE", "train total", "train", "training rows", "L0 (mean active per row)", "dead", "dense",
      ])
  }

  /// The number of points on the FVU line (the one series every run has, never NaN).
  static func plottedEpochs(_ curves: URL) throws -> Int {
    let tree = try XMLTree(String(contentsOf: curves, encoding: .utf8))
    let fvu = tree.elements(named: "path").first { $0.attributeValue("data-series")?.hasSuffix("rows") == true }
    let d = fvu?.attributeValue("d") ?? ""
    return d.split(separator: " ").count { $0.hasPrefix("M") || $0.hasPrefix("L") }
  }
}
