import Checkpoints
import Foundation
import TensorCore

/// `checkpoint.safetensors` of a training directory: the weights, Adam's moments and step, the
/// epochs done, and how long `metrics.jsonl` was at that moment, so a resumed run truncates the
/// metrics of unfinished epochs and continues exactly.
///
/// Tensors: the weights under their SAELens names, Adam's moments as `adam.m.<name>` and
/// `adam.v.<name>`; metadata: `epochsDone`, `adamStep`, `metricsBytes`, and the JSON of the
/// autoencoder configuration and training options.
struct TrainingCheckpoint {
  var autoencoder: Autoencoder
  var options: TrainingOptions
  var optimizer: AdamOptimizer
  var epochsDone: Int
  var metricsBytes: Int

  static let name = "checkpoint.safetensors"
  static let metricsName = "metrics.jsonl"

  static func url(in directory: URL) -> URL { directory.appendingPathComponent(name) }
  static func metricsURL(in directory: URL) -> URL { directory.appendingPathComponent(metricsName) }

  /// Creates `directory` for a new run; refuses one that already holds a run.
  static func prepare(_ directory: URL) throws(AutoencoderError) {
    let fm = FileManager.default
    for existing in [name, metricsName, AutoencoderFiles.configName]
    where fm.fileExists(atPath: directory.appendingPathComponent(existing).path) {
      throw .invalidConfiguration(
        key: "output",
        reason: "\(directory.path) already holds a training run (\(existing)); resume it or choose another directory")
    }
    do {
      try fm.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
      throw .writeFailed(file: directory, reason: error.localizedDescription)
    }
  }

  /// Writes the checkpoint atomically (recording the current length of `metrics.jsonl`).
  func write(to directory: URL) throws(AutoencoderError) {
    let metricsSize =
      (try? FileManager.default.attributesOfItem(atPath: Self.metricsURL(in: directory).path)[.size] as? Int) ?? 0
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let config = (try? encoder.encode(autoencoder.configuration)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    let training = (try? encoder.encode(options)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    try AutoencoderFiles.writeTensors(
      autoencoder.weights, to: Self.url(in: directory),
      metadata: [
        "format": "bae-training-checkpoint", "epochsDone": String(epochsDone), "adamStep": String(optimizer.step),
        "metricsBytes": String(metricsSize), "autoencoder": config, "training": training,
        "blasKernels": BLASKernels.coreName,
      ],
      extra: [("adam.m.", optimizer.firstMoments), ("adam.v.", optimizer.secondMoments)])
  }

  /// Reads the checkpoint of `directory`, checking it is for `configuration`.
  static func load(from directory: URL, configuration: AutoencoderConfiguration) throws(AutoencoderError)
    -> TrainingCheckpoint
  {
    let url = url(in: directory)
    guard FileManager.default.fileExists(atPath: url.path) else {
      throw .unreadable(
        file: url, reason: "no checkpoint to resume from (the run wrote none yet); start it again without resuming")
    }
    let metadata: [String: String]
    do {
      metadata = try SafetensorsFile(url).metadata
    } catch {
      throw .unreadable(file: url, reason: error.description)
    }
    let decoder = JSONDecoder()
    guard let epochs = metadata["epochsDone"].flatMap(Int.init), let step = metadata["adamStep"].flatMap(Int.init),
      let bytes = metadata["metricsBytes"].flatMap(Int.init),
      let recorded = metadata["autoencoder"].flatMap({
        try? decoder.decode(AutoencoderConfiguration.self, from: Data($0.utf8))
      }),
      let options = metadata["training"].flatMap({ try? decoder.decode(TrainingOptions.self, from: Data($0.utf8)) })
    else {
      throw .unreadable(file: url, reason: "not a bae training checkpoint (metadata missing)")
    }
    if let kernels = metadata["blasKernels"], kernels != BLASKernels.coreName {
      throw .invalidConfiguration(
        key: "OPENBLAS_CORETYPE",
        reason:
          "the checkpoint was written with OpenBLAS's \(kernels) kernels and this process runs \(BLASKernels.coreName); resume with OPENBLAS_CORETYPE=\(kernels) to continue exactly"
      )
    }
    guard recorded == configuration else {
      throw .invalidConfiguration(
        key: "autoencoder",
        reason:
          "the checkpoint in \(directory.path) is for another autoencoder configuration; use the same settings to resume"
      )
    }
    let weights = try AutoencoderFiles.readTensors(from: url, configuration: configuration)
    let first = try AutoencoderFiles.readTensors(from: url, configuration: configuration, prefix: "adam.m.")
    let second = try AutoencoderFiles.readTensors(from: url, configuration: configuration, prefix: "adam.v.")
    return TrainingCheckpoint(
      autoencoder: try Autoencoder(configuration: configuration, weights: weights), options: options,
      optimizer: AdamOptimizer(hyperparameters: options.adam, step: step, firstMoments: first, secondMoments: second),
      epochsDone: epochs, metricsBytes: bytes)
  }

  /// Appends one JSON line to `metrics.jsonl`.
  static func appendMetrics(_ metrics: EpochMetrics, in directory: URL) throws(AutoencoderError) {
    let url = metricsURL(in: directory)
    do {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      encoder.nonConformingFloatEncodingStrategy = .convertToString(
        positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
      var line = try encoder.encode(metrics)
      line.append(0x0A)
      if !FileManager.default.fileExists(atPath: url.path) {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
      }
      let handle = try FileHandle(forWritingTo: url)
      defer { try? handle.close() }
      try handle.seekToEnd()
      try handle.write(contentsOf: line)
    } catch {
      throw .writeFailed(file: url, reason: error.localizedDescription)
    }
  }

  /// Cuts `metrics.jsonl` back to `bytes` (the lines of epochs after the checkpoint go).
  static func truncateMetrics(in directory: URL, toBytes bytes: Int) throws(AutoencoderError) {
    let url = metricsURL(in: directory)
    guard FileManager.default.fileExists(atPath: url.path) else { return }
    do {
      let handle = try FileHandle(forWritingTo: url)
      defer { try? handle.close() }
      try handle.truncate(atOffset: UInt64(bytes))
    } catch {
      throw .writeFailed(file: url, reason: error.localizedDescription)
    }
  }
}
