import ArgumentParser
import Autoencoders
import FeatureSets
import Foundation
import HookPoints

/// `bae encode`: a feature set's rows → codes, in shards.
struct EncodeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "encode",
    abstract: "Encode a feature set's rows with an autoencoder into code shards.",
    discussion: """
      Writes OUT/codes-00000.safetensors … and OUT/codes.json. A BAE's codes are
      bit-packed: codes uint8 [n, ceil(m/8)], bit j of a row in byte j/8 at bit j%8,
      least significant bit first (np.unpackbits(codes, axis=1, count=m,
      bitorder="little")). SAE activations are CSR lists: indices int32 [nnz],
      values float32 [nnz], row_offsets int64 [n+1]. Every shard also holds
      token_ids, doc_index and position [n]. Rows keep the feature set's order;
      memory stays bounded whatever its size.
      """)

  @Option(name: .long, help: ArgumentHelp("Feature-set directory (repeat to read several as one).", valueName: "dir"))
  var features: [String] = []

  @OptionGroup var autoencoder: AutoencoderArguments

  @Option(name: .long, help: "Hook to encode (default: the autoencoder's input hook).")
  var hook: String?

  @Option(name: .long, help: ArgumentHelp("Output directory.", valueName: "dir"))
  var out: String

  @Option(name: .long, help: "Rows per shard.")
  var shardRows = 1 << 16

  @OptionGroup var compute: ComputeArguments

  func validate() throws {
    guard !features.isEmpty else { throw ValidationError("give a feature set with --features DIR") }
    guard shardRows >= 1 else { throw ValidationError("--shard-rows must be at least 1") }
  }

  func run() throws {
    let ae = try autoencoder.load()
    let set = try reportingErrors { try FeatureSet(directories: features.map { URL(fileURLWithPath: $0) }) }
    let point = try hook.map { name in try reportingErrors { try HookPoint(name: name) } }
    let output = URL(fileURLWithPath: out)
    let options = CodeEncodingOptions(batchSize: compute.batchSize, shardRows: shardRows, context: compute.context)
    var meter = RowProgressMeter()
    let manifest = try reportingErrors {
      try CodeEncoding.encode(set, autoencoder: ae, hook: point, to: output, options: options) { meter.update($0) }
    }
    meter.finish()
    let bytes = manifest.shards.map(\.bytes).reduce(0, +)
    let perRow = manifest.rows == 0 ? 0 : Double(manifest.nonzeroCount) / Double(manifest.rows)
    let what = manifest.storage == .bits ? "ones" : "non-zeros"
    print(
      "encoded \(manifest.rows) rows of \(manifest.hook) into \(manifest.codeWidth) \(manifest.storage == .bits ? "bits" : "sparse codes") per row"
        + " (\(String(format: "%.2f", perRow)) \(what) per row) in \(manifest.shards.count) shards, \(ByteCountFormatter.string(fromByteCount: Int64(bytes), countStyle: .binary)), at \(output.path)"
    )
  }
}
