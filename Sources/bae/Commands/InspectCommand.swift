import ArgumentParser
import Foundation
import Models
import TensorCore

/// `bae inspect [--model MODEL]`: architecture, parameter count, dtypes and tensor table.
struct InspectCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspect", abstract: "Describe a checkpoint without running it.")

  @OptionGroup var modelPath: ModelPathArguments

  @Argument(help: ArgumentHelp("The model, as --model (the older spelling).", visibility: .hidden))
  var model: String?

  @Flag(name: .long, help: "List every tensor.")
  var tensors = false

  func validate() throws {
    if model != nil && modelPath.model != nil { throw ValidationError("give the model once, as --model") }
  }

  func run() throws {
    let location = try modelPath.resolvedLocation(positional: model)
    let report = try reportingErrors { try ModelInspection(location: location) }
    let c = report.configuration
    print("model:        \(report.path.path)")
    print("format:       \(report.format)")
    print(
      "architecture: llama, \(c.layerCount) layers, d=\(c.hiddenSize), ffn=\(c.intermediateSize), heads=\(c.headCount), kv heads=\(c.kvHeadCount), head dim=\(c.headDim)"
    )
    print("vocabulary:   \(c.vocabularySize), embeddings \(c.tieWordEmbeddings ? "tied" : "untied")")
    print("rope:         theta=\(c.ropeTheta), scaling=\(c.ropeScaling)")
    print("rms norm eps: \(c.rmsNormEpsilon)")
    print(
      "parameters:   \(report.parameterCount.formatted()) (\(String(format: "%.1f", Double(report.parameterCount) / 1e6))M)"
    )
    let types = report.storedTypeCounts.sorted { $0.value > $1.value }.map { "\($0.key) ×\($0.value)" }
    print("tensors:      \(report.tensors.count) (\(types.joined(separator: ", ")))")
    for (key, value) in report.notes { print("\(key.padding(toLength: 14, withPad: " ", startingAt: 0))\(value)") }
    let cpu = CPUFeatures.current
    print("cpu:          \(cpu)")
    print("f32 products: OpenBLAS \(BLASKernels.coreName)")
    let gemm = try? BFloat16GEMM()
    func bf16(_ rows: Int) -> String {
      (try? gemm?.implementationName(rows: rows, inDim: c.hiddenSize, outDim: c.intermediateSize)) ?? "unavailable"
    }
    let native = cpu.runsNatively(.bfloat16) ? "" : " (no AVX512-BF16 or AMX)"
    print("bf16 products: \(bf16(256)) for batches, \(bf16(1)) for decoding\(native)")
    if tensors {
      for t in report.tensors {
        print("  \(t.name)  \(t.storedType)  \(t.shape)")
      }
    }
  }
}
