import ArgumentParser
import Autoencoders
import Foundation

/// `bae decompress`: a file written by `bae compress` → the BAE's reconstructions.
struct DecompressCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "decompress",
    abstract: "Rebuild the codes of a file written by bae compress and decode them with the BAE.",
    discussion: """
      Each row's code is the majority code with its stored indices flipped; OUT is a
      safetensors file holding reconstruction float32 [n, d], rows in the compressed
      order.
      """)

  @Option(name: .long, help: ArgumentHelp("File written by bae compress.", valueName: "file"))
  var from: String

  @OptionGroup var autoencoder: AutoencoderArguments

  @Option(name: .long, help: ArgumentHelp("Output file (.safetensors).", valueName: "file"))
  var out: String

  @OptionGroup var compute: ComputeArguments

  func run() throws {
    let ae = try autoencoder.load()
    let output = URL(fileURLWithPath: out)
    var meter = RowProgressMeter()
    let rows = try reportingErrors {
      try BAECompression.decompress(
        from: URL(fileURLWithPath: from), autoencoder: ae, to: output, batchSize: compute.batchSize,
        context: compute.context
      ) { meter.update($0) }
    }
    meter.finish()
    print("decoded \(rows) rows into \(output.path) (reconstruction [\(rows), \(ae.configuration.inputWidth)])")
  }
}
