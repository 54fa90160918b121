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
    discussion: "Prints one JSON line on stdout: tokens, seconds, tokens_per_second, load_seconds.")

  @OptionGroup var modelArguments: ModelArguments

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
    let context = modelArguments.context
    let location = try modelArguments.resolvedLocation()
    let loadStart = Date()
    let model = try reportingErrors { try LlamaModel.load(from: location) }
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
    print(
      String(
        format:
          "{\"engine\":\"bae\",\"tokens\":%d,\"seconds\":%.4f,\"tokens_per_second\":%.1f,\"load_seconds\":%.3f,\"threads\":%d,\"blas_core\":\"%@\",\"checksum_finite\":%@}",
        tokens, best, Double(tokens) / best, loadSeconds, context.threads, BLASKernels.coreName,
        hook.checksum.isFinite ? "true" : "false"))
  }
}
