import Checkpoints
import Foundation
import Plots

/// Everything `bae eval` measured about one autoencoder: what `--json` prints and `eval.json`
/// holds (snake_case keys).
public struct EvaluationReport: Codable, Sendable, Equatable {
  /// The autoencoder directory.
  public var autoencoder: String
  public var architecture: String
  /// The point it reads, and the point it reconstructs (different for a transcoder).
  public var hook: String
  public var outputHook: String
  public var inputWidth: Int
  public var codeWidth: Int
  /// The firing rate above which a code counts as dense.
  public var denseThreshold: Double
  /// Feature-set directories, when reconstruction was measured on one.
  public var features: [String]?
  /// Reconstruction statistics over the feature set's rows.
  public var reconstruction: ReconstructionStatistics?
  /// The model and corpus of the downstream loss, when measured.
  public var model: String?
  public var corpus: [String]?
  public var downstream: DownstreamLossResult?
  /// Wall time of the evaluation.
  public var seconds: Double

  public init(
    autoencoder: String, architecture: String, hook: String, outputHook: String, inputWidth: Int, codeWidth: Int,
    denseThreshold: Double, features: [String]? = nil, reconstruction: ReconstructionStatistics? = nil,
    model: String? = nil, corpus: [String]? = nil, downstream: DownstreamLossResult? = nil, seconds: Double
  ) {
    self.autoencoder = autoencoder
    self.architecture = architecture
    self.hook = hook
    self.outputHook = outputHook
    self.inputWidth = inputWidth
    self.codeWidth = codeWidth
    self.denseThreshold = denseThreshold
    self.features = features
    self.reconstruction = reconstruction
    self.model = model
    self.corpus = corpus
    self.downstream = downstream
    self.seconds = seconds
  }

  enum CodingKeys: String, CodingKey {
    case autoencoder, architecture, hook, features, reconstruction, model, corpus, downstream, seconds
    case outputHook = "output_hook"
    case inputWidth = "input_width"
    case codeWidth = "code_width"
    case denseThreshold = "dense_threshold"
  }

  /// The per-code firing rates shown in the histogram: the feature set's when measured, else
  /// those of the rows the downstream evaluation replaced.
  public var firingRates: [Double] { reconstruction?.firingRates ?? downstream?.reconstruction.firingRates ?? [] }

  /// The report as one line of JSON (sorted keys; a value that is not finite, as `null`
  /// would hide it, is written as the string `"nan"`/`"inf"`).
  public func json(pretty: Bool = false) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting =
      pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return try encoder.encode(self)
  }

  /// Files written by ``write(to:)``.
  public static let jsonName = "eval.json"
  public static let histogramName = "firing-rates.svg"
  public static let ratesName = "firing-rates.csv"

  /// Writes `eval.json`, `firing-rates.svg` (``FiringRateHistogram``) and `firing-rates.csv`
  /// (`code,firing_rate`) into `directory` (created if needed), each atomically.
  ///
  /// - Throws: `AtomicFileError`, `PlotError`, encoding errors.
  public func write(to directory: URL) throws {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try AtomicFile.write(try json(pretty: true), to: directory.appendingPathComponent(Self.jsonName))
    let rates = firingRates
    let histogram = try FiringRateHistogram.make(
      rates: rates, title: "Firing rates: \(codeWidth) \(architecture) codes at \(hook)")
    try AtomicFile.write(Data(histogram.svg().utf8), to: directory.appendingPathComponent(Self.histogramName))
    var table = CSVTable(columns: ["code", "firing_rate"])
    for (code, rate) in rates.enumerated() { table.append([String(code), CSVTable.number(rate)]) }
    try table.write(to: directory.appendingPathComponent(Self.ratesName))
  }
}
