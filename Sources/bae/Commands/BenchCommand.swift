import ArgumentParser
import Foundation
import HookPoints
import Models
import TensorCore

/// `bae bench`: forward-pass throughput on random tokens, for `benchmarks/forward`.
struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Measure forward-pass throughput (tokens/s) with the given hooks and no copies.",
    discussion: """
      Prints one JSON line on stdout: tokens, seconds, tokens_per_second, load_seconds, threads, \
      precision, the matrix-product kernel (OpenBLAS core for f32, oneDNN implementation for bf16), \
      the model FLOPs of one pass and the GFLOP/s achieved, the CPU model and its detected features.
      """)

  @OptionGroup var modelArguments: ModelArguments

  @OptionGroup var precisionArguments: PrecisionArguments

  @Option(name: .long, help: "Tokens per sequence.")
  var sequenceLength = 512

  @Option(name: .long, help: "Sequences per batch.")
  var batch = 1

  @Option(name: .long, help: "Timed repetitions (the best is reported).")
  var iterations = 3

  @Option(name: .long, help: "Hooks to read.")
  var hooks = "resid_post:all"

  func validate() throws {
    guard sequenceLength > 0, batch > 0, iterations > 0 else {
      throw ValidationError("--sequence-length, --batch and --iterations must be positive")
    }
  }

  /// Reads one value per row so the hook is not optimised away, without copying.
  struct TouchHook: ForwardHook {
    let points: Set<HookPoint>
    var checksum: Float = 0
    mutating func visit(_ point: HookPoint, _ activations: ActivationView) throws {
      for r in stride(from: 0, to: activations.rows, by: 1) { checksum += activations.values[r * activations.width] }
    }
  }

  func run() throws {
    let context = precisionArguments.context(modelArguments)
    let location = try modelArguments.resolvedLocation()
    let loadStart = Date()
    let model = try reportingErrors { try LlamaModel.load(from: location, precision: context.precision) }
    let loadSeconds = Date().timeIntervalSince(loadStart)
    let c = model.configuration
    var random = SeededRandom(seed: 0)  // the same token ids in every run
    let sequences = (0..<batch).map { _ in
      (0..<sequenceLength).map { _ in Int32(random.integer(below: c.vocabularySize)) }
    }
    let points = try reportingErrors { try HookPoint.parseList(hooks, layerCount: c.layerCount) }
    var hook = TouchHook(points: Set(points))
    let state = LlamaRunState(configuration: c)
    try model.forward(batch: sequences, state: state, hooks: &hook, context: context)  // warm-up, allocates buffers
    var best = Double.infinity
    for _ in 0..<iterations {
      let start = Date()
      try model.forward(batch: sequences, state: state, hooks: &hook, context: context)
      best = min(best, Date().timeIntervalSince(start))
    }
    let tokens = batch * sequenceLength
    let lastLayer =
      points.contains { $0 == .logits || $0 == .finalNorm } ? c.layerCount - 1 : points.compactMap(\.layer).max() ?? -1
    let flops = c.forwardFLOPs(
      sequenceLengths: Array(repeating: sequenceLength, count: batch), lastLayer: lastLayer,
      logits: points.contains(.logits))
    let kernel = try reportingErrors { try Self.kernelName(context, rows: tokens, configuration: c) }
    let cpu = CPUFeatures.current
    let fields: [(String, String)] = [
      ("engine", "\"bae\""), ("tokens", "\(tokens)"), ("seconds", String(format: "%.4f", best)),
      ("tokens_per_second", String(format: "%.1f", Double(tokens) / best)),
      ("load_seconds", String(format: "%.3f", loadSeconds)), ("threads", "\(context.threads)"),
      ("precision", "\"\(context.precision.rawValue)\""), ("kernel", jsonString(kernel)),
      ("blas_core", jsonString(BLASKernels.coreName)), ("gflop", String(format: "%.2f", flops / 1e9)),
      ("gflops", String(format: "%.1f", flops / best / 1e9)), ("cpu", jsonString(cpu.modelName ?? "unknown")),
      ("cpu_features", "[" + cpu.names.map(jsonString).joined(separator: ",") + "]"),
      ("checksum_finite", hook.checksum.isFinite ? "true" : "false"),
    ]
    print("{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}")
  }

  /// The kernel that runs the MLP's up projection on one worker's share of `rows` tokens.
  static func kernelName(_ context: ComputeContext, rows: Int, configuration c: LlamaConfiguration) throws -> String {
    switch context.precision {
    case .float32:
      return "openblas:\(BLASKernels.coreName)"
    case .bfloat16:
      let share = max(1, rows / context.threads)
      return try BFloat16GEMM().implementationName(
        rows: share, inDim: c.hiddenSize, outDim: c.intermediateSize, kernel: context.bfloat16Kernel)
    }
  }
}
