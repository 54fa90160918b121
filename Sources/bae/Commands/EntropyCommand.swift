import ArgumentParser
import Autoencoders
import Checkpoints
import FeatureSets
import Foundation
import HookPoints
import Studies
import TensorCore

/// `bae entropy`: the entropy of a set of hidden states, estimated with a BAE.
struct EntropyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "entropy",
    abstract: "Estimate the entropy (bits) of a set of hidden states with a binary autoencoder.",
    discussion: """
      The estimate is Σ_j H_b(p_j) over the BAE's codes, p_j the share of rows whose code j is 1
      (the reference's entropy_eval). With --ae, a trained BAE encodes the rows of --features (or of
      --model over --corpus); without it, BAEs are fitted to the rows with the known-answer recipe
      (--seeds of them, the spread reported). --synthetic R runs the known-answer check instead:
      R independent fair bits through random directions, estimate against truth.
      Checks printed with the estimate: the covariance term over all rows, the pairwise mutual
      information of the codes in bits and the largest correlation between two codes; the estimate
      is the codes' entropy if they are independent and an upper bound otherwise.
      """)

  @Option(name: .long, help: ArgumentHelp("A trained BAE directory.", valueName: "dir")) var ae: String?
  @Option(
    name: .long, parsing: .upToNextOption, help: ArgumentHelp("Feature-set directories.", valueName: "dir"))
  var features: [String] = []
  @OptionGroup(title: "Rows straight from a model and corpus (instead of --features)") var modelArguments:
    ModelArguments
  @OptionGroup var corpusArguments: CorpusArguments
  @OptionGroup var windows: WindowArguments
  @Option(name: .long, help: "Hook (default: the BAE's input hook; required when fitting).") var hook: String?
  @Option(name: .long, help: "Use at most the first N rows.") var rows: Int?

  @Option(name: .long, help: "Known-answer check: R independent bits.") var synthetic: Int?
  @Option(name: .long, help: "Synthetic check: seed of data and BAE (default 0).") var seed: UInt64 = 0
  @Option(name: .long, help: "Synthetic check: noise std per coordinate (default 0.01).") var noise = 0.01
  @Option(name: .long, help: "Synthetic check: input width (default 64).") var width = 64
  @Option(name: .long, help: "Synthetic check: samples (default 4096).") var samples = 4096

  @OptionGroup(title: "Fitting (without --ae)") var fit: EntropyFitArguments
  @Option(name: .long, help: ArgumentHelp("Write entropy.json and firing-rates.csv here.", valueName: "dir"))
  var out: String?
  @Flag(name: .long, help: "Print the result as one JSON object.") var json = false

  func validate() throws {
    if let synthetic {
      guard synthetic >= 1 else { throw ValidationError("--synthetic takes a positive number of bits") }
      guard ae == nil, features.isEmpty, corpusArguments.corpus.isEmpty else {
        throw ValidationError("--synthetic makes its own data; drop --ae, --features and --corpus")
      }
      return
    }
    if features.isEmpty == corpusArguments.corpus.isEmpty {
      throw ValidationError("give --features DIR…, or --corpus PATH… (with --model and --max-tokens), or --synthetic R")
    }
    if !corpusArguments.corpus.isEmpty, windows.maxTokens == nil {
      throw ValidationError("--max-tokens is required with --corpus (the rows are held in memory)")
    }
    if ae == nil, hook == nil { throw ValidationError("--hook is required when fitting BAEs (no --ae)") }
    if let rows, rows < 2 { throw ValidationError("--rows must be at least 2") }
  }

  func run() throws {
    let context = modelArguments.context
    if let synthetic {
      let check = try reportingErrors {
        try SyntheticEntropyCheck(
          bits: synthetic, width: width, rows: samples, noise: noise, seed: seed, settings: fit.settings,
          context: context)
      }
      try write(check.estimate, result: check)
      if !json {
        print(
          "synthetic: \(synthetic) independent bits in R^\(width), \(samples) samples, noise \(noise), seed \(seed)")
        print(
          "estimate \(fmt(check.estimate.entropyBits)) bits, truth \(synthetic) bits, error \(String(format: "%+.2f", 100 * check.relativeError))%"
        )
        printChecks(check.estimate, fvu: check.fractionOfVarianceUnexplained)
      }
      return
    }

    let source = try DataSource(
      features: features, allowIncomplete: false, model: modelArguments, corpus: corpusArguments, windows: windows,
      context: context)
    if let ae {
      let autoencoder = try reportingErrors { try AutoencoderFiles.load(from: URL(fileURLWithPath: ae)).0 }
      let point = try (hook ?? autoencoder.configuration.inputHook).map { name in
        try reportingErrors { try HookPoint(name: name, layerCount: source.layerCount) }
      }
      guard let point else { throw CommandError("\(ae) records no input hook; give --hook") }
      let estimate: EntropyEstimate
      var meter = TrainMeter()
      if let set = source.featureSet {
        estimate = try reportingErrors {
          try FeatureSetEntropy.measure(
            autoencoder: autoencoder, set: set, hook: point, maxRows: rows, context: context
          ) { meter.reading(rows: $0, of: min(set.rowCount, rows ?? .max)) }
        }
      } else {
        let x = try loadRows(source, point: point, meter: &meter)
        estimate = try reportingErrors { try FeatureSetEntropy.measure(autoencoder: autoencoder, rows: x, context: context) }
      }
      meter.finishLine()
      struct Result: Encodable {
        var hook: String
        var autoencoder: String
        var estimate: EntropyEstimate
      }
      try write(estimate, result: Result(hook: point.name, autoencoder: ae, estimate: estimate))
      if !json {
        print("\(point.name): \(estimate.rows) rows under \(ae)")
        print("estimate \(fmt(estimate.entropyBits)) bits")
        printChecks(estimate, fvu: nil)
      }
      return
    }

    // No --ae: fit BAEs to the rows.
    let point = try reportingErrors { try HookPoint(name: hook!, layerCount: source.layerCount) }
    var meter = TrainMeter()
    let x = try loadRows(source, point: point, meter: &meter)
    meter.finishLine()
    var fits: [EntropyFit] = []
    for seed in fit.seedList {
      fits.append(
        try reportingErrors {
          try EntropyFit(rows: x, settings: fit.settings, seed: seed, inputHook: point.name, context: context)
        })
    }
    let spread = EntropySpread(fits)
    struct Result: Encodable {
      var hook: String
      var rows: Int
      var entropyBits: Double
      var spread: EntropySpread
      var estimate: EntropyEstimate
      var settings: EntropyFitSettings
      enum CodingKeys: String, CodingKey { case hook, rows, entropyBits = "entropy_bits", spread, estimate, settings }
    }
    try write(
      fits[0].estimate,
      result: Result(
        hook: point.name, rows: x.rows, entropyBits: spread.meanBits, spread: spread, estimate: fits[0].estimate,
        settings: fit.settings))
    if !json {
      print("\(point.name): \(x.rows) rows, \(fits.count) fitted BAE\(fits.count == 1 ? "" : "s")")
      print(
        "estimate \(fmt(spread.meanBits)) bits"
          + (fits.count > 1 ? " ± \(fmt(spread.stdBits)) (seeds: \(spread.bits.map(fmt).joined(separator: ", ")))" : ""))
      printChecks(fits[0].estimate, fvu: spread.fractionOfVarianceUnexplained)
    }
  }

  func loadRows(_ source: DataSource, point: HookPoint, meter: inout TrainMeter) throws -> Matrix {
    var options = DataOptions()
    options.maxRows = rows
    let loaded = try source.rows(of: [point], options: options, meter: &meter)
    guard loaded.values[0].rows >= 2 else { throw CommandError("\(loaded.values[0].rows) rows: need at least 2") }
    return loaded.values[0]
  }

  func printChecks(_ e: EntropyEstimate, fvu: Double?) {
    print(
      "codes: \(e.activeCodes) of \(e.codeWidth) active (\(e.distinctCodes) distinct: \(fmt(e.distinctEntropyBits)) bits without exact copies), \(fmt(e.meanOnes)) ones per row"
        + (fvu.map { ", FVU \(String(format: "%.3f", $0))" } ?? ""))
    print(
      "checks: covariance term \(String(format: "%.4g", e.covariance)), pairwise mutual information \(fmt(e.pairwiseMutualInformationBits)) bits, max |correlation| \(String(format: "%.3f", e.maxAbsCorrelation)), \(e.correlatedPairs) pairs with |ρ| > \(EntropyEstimate.correlatedPairThreshold)"
    )
  }

  /// `--json` on stdout and `--out` files.
  func write(_ estimate: EntropyEstimate, result: some Encodable) throws {
    let data = try StudyJSON.encode(result)
    if json { print(String(decoding: data, as: UTF8.self)) }
    guard let out else { return }
    let directory = URL(fileURLWithPath: out)
    try reportingErrors {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      try AtomicFile.write(data, to: directory.appendingPathComponent("entropy.json"))
      var table = CSVTable(columns: ["code", "firing_rate"])
      for (j, p) in estimate.firingRates.enumerated() { table.append(["\(j)", CSVTable.number(p)]) }
      try table.write(to: directory.appendingPathComponent("firing-rates.csv"))
    }
  }
}

/// Bits with two decimals.
func fmt(_ bits: Double) -> String { String(format: "%.2f", bits) }
