import ArgumentParser
import Autoencoders
import FeatureSets
import Foundation
import HookPoints

/// `bae compress`: a feature set's rows → the reference's majority-bit compression of their BAE codes.
struct CompressCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compress",
    abstract: "Compress a feature set's rows into BAE codes stored as deviations from the majority bits.",
    discussion: """
      As the reference's util/compression.py: p = the mean code (over the first
      --mean-rows rows; default all), majority = round(p) (halves to even, so p =
      0.5 gives 0), and per row the indices j with |h_j - p_j| > 0.5. OUT is a
      safetensors file: majority uint8 [m], mean float32 [m], row_offsets int64
      [n+1], indices int16 [nnz] (int32 above 32768 codes). Where p_j = 0.5 nothing
      is stored and a 1 decodes as 0, unless --keep-ties.
      """)

  @Option(name: .long, help: ArgumentHelp("Feature-set directory (repeat to read several as one).", valueName: "dir"))
  var features: [String] = []

  @OptionGroup var autoencoder: AutoencoderArguments

  @Option(name: .long, help: "Hook to compress (default: the autoencoder's input hook).")
  var hook: String?

  @Option(name: .long, help: ArgumentHelp("Output file (.safetensors).", valueName: "file"))
  var out: String

  @Option(name: .long, help: "Measure the code means on the first this many rows (default: every row).")
  var meanRows: Int?

  @Flag(
    name: .long, help: "Also store the 1 bits of codes whose mean is exactly 0.5 (lossless; the reference loses them).")
  var keepTies = false

  @OptionGroup var compute: ComputeArguments

  func validate() throws {
    guard !features.isEmpty else { throw ValidationError("give a feature set with --features DIR") }
    if let meanRows, meanRows < 1 { throw ValidationError("--mean-rows must be at least 1") }
  }

  func run() throws {
    let ae = try autoencoder.load()
    let set = try reportingErrors { try FeatureSet(directories: features.map { URL(fileURLWithPath: $0) }) }
    let point = try hook.map { name in try reportingErrors { try HookPoint(name: name) } }
    let output = URL(fileURLWithPath: out)
    let options = BAECompression.Options(
      meanRows: meanRows, tieRule: keepTies ? .lossless : .reference, batchSize: compute.batchSize,
      context: compute.context)
    var meter = RowProgressMeter()
    let report = try reportingErrors {
      try BAECompression.compress(set, autoencoder: ae, hook: point, to: output, options: options) { meter.update($0) }
    }
    meter.finish()
    func bits(_ value: Double) -> String { String(format: "%.2f", value) }
    print(
      "compressed \(report.rows) rows (\(report.codeWidth) codes each) into \(output.path): \(report.fileBytes) bytes")
    print(
      "measured: \(bits(report.bitsPerToken)) bits/token (file size × 8 / rows); indices alone \(bits(report.indexBitsPerToken)) (\(bits(report.deviationsPerToken)) deviations/token × \(report.indexBits))"
    )
    print("ideal:    \(bits(report.entropyBitsPerToken)) bits/token (Σ_j H_b(p_j), entropy-coded independent bits)")
    var ties = "p from the first \(report.meanRows) rows; \(report.tieCodes) codes with p = 0.5"
    if report.lostBits > 0 {
      ties += "; \(report.lostBits) bits lost there (they decode as 0; --keep-ties stores them)"
    }
    print(ties)
  }
}
