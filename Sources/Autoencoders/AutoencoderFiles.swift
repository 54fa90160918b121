import Checkpoints
import Foundation
import JSONSupport
import TensorCore

/// The files of a trained autoencoder directory:
///
/// - `config.json`: `{"format": "bae-autoencoder", "version": 1, "autoencoder": {…}, "training": {…}}`
///   (``AutoencoderConfiguration`` and, when trained by `bae`, ``TrainingOptions``);
/// - `weights.safetensors`: `W_enc` `[d, m]`, `b_enc` `[m]`, `W_dec` `[m, d]`, `b_dec` `[d]`
///   (and `threshold` `[m]` for JumpReLU), f32, in the SAELens layout.
public enum AutoencoderFiles {
  /// The provenance of the training rows, recorded under `data` in `config.json`.
  public struct DataRecord: Codable, Sendable, Equatable {
    /// Feature-set directories read (empty when the rows came straight from a model).
    public var featureSets: [String]
    /// Corpus paths the rows were extracted from in memory (online training), if any.
    public var corpus: [String]?
    /// Hooks read (input first; a transcoder's target second).
    public var hooks: [String]
    public var options: DataOptions
    public var report: DataReport

    public init(
      featureSets: [String], corpus: [String]? = nil, hooks: [String], options: DataOptions, report: DataReport
    ) {
      self.featureSets = featureSets
      self.corpus = corpus
      self.hooks = hooks
      self.options = options
      self.report = report
    }
  }

  public static let configName = "config.json"
  public static let weightsName = "weights.safetensors"
  static let formatName = "bae-autoencoder"

  /// What `config.json` holds.
  public struct Config: Codable, Sendable, Equatable {
    public var format = AutoencoderFiles.formatName
    public var version = 1
    public var autoencoder: AutoencoderConfiguration
    public var training: TrainingOptions?
    /// Where the training rows came from and what was kept.
    public var data: DataRecord?

    public init(autoencoder: AutoencoderConfiguration, training: TrainingOptions?, data: DataRecord? = nil) {
      self.autoencoder = autoencoder
      self.training = training
      self.data = data
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case format, version, autoencoder, training, data }

    public init(from decoder: any Decoder) throws {
      try rejectUnknownKeys(decoder, known: CodingKeys.allCases.map(\.rawValue), in: "config.json")
      let c = try decoder.container(keyedBy: CodingKeys.self)
      format = try c.decode(String.self, forKey: .format)
      version = try c.decode(Int.self, forKey: .version)
      guard format == AutoencoderFiles.formatName, version == 1 else {
        throw DecodingError.dataCorruptedError(
          forKey: .format, in: c,
          debugDescription: "not a bae autoencoder config (format \(format), version \(version))")
      }
      autoencoder = try c.decode(AutoencoderConfiguration.self, forKey: .autoencoder)
      training = try c.decodeIfPresent(TrainingOptions.self, forKey: .training)
      data = try c.decodeIfPresent(DataRecord.self, forKey: .data)
    }
  }

  /// Writes `config.json` and `weights.safetensors` into `directory` (each atomically).
  public static func save(
    _ autoencoder: Autoencoder, training: TrainingOptions?, data: DataRecord? = nil, to directory: URL
  ) throws(AutoencoderError) {
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
      throw .writeFailed(file: directory, reason: error.localizedDescription)
    }
    let configURL = directory.appendingPathComponent(configName)
    do {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      try AtomicFile.write(
        try encoder.encode(Config(autoencoder: autoencoder.configuration, training: training, data: data)),
        to: configURL)
    } catch {
      throw .writeFailed(file: configURL, reason: error.localizedDescription)
    }
    try writeTensors(
      autoencoder.weights, to: directory.appendingPathComponent(weightsName),
      metadata: [
        "format": formatName, "architecture": autoencoder.configuration.architecture.rawValue,
      ])
  }

  /// Reads an autoencoder directory written by ``save(_:training:data:to:)``.
  ///
  /// - Returns: the autoencoder and its training options (if recorded).
  public static func load(from directory: URL) throws(AutoencoderError) -> (Autoencoder, TrainingOptions?) {
    let configURL = directory.appendingPathComponent(configName)
    let config: Config
    do {
      config = try JSONDecoder().decode(Config.self, from: Data(contentsOf: configURL))
    } catch let error as DecodingError {
      throw .unreadable(file: configURL, reason: error.plainDescription)
    } catch {
      throw .unreadable(file: configURL, reason: error.localizedDescription)
    }
    let weights = try readTensors(
      from: directory.appendingPathComponent(weightsName), configuration: config.autoencoder)
    return (try Autoencoder(configuration: config.autoencoder, weights: weights), config.training)
  }

  /// Writes the five tensors (prefixed by `prefix`) of `weights` to a safetensors file.
  static func writeTensors(
    _ weights: AutoencoderWeights, to url: URL, metadata: [String: String], prefix: String = "",
    extra: [(String, AutoencoderWeights)] = []
  ) throws(AutoencoderError) {
    var writer = SafetensorsWriter(metadata: metadata)
    for (p, w) in [(prefix, weights)] + extra {
      for name in AutoencoderWeights.tensorNames {
        let m = w[name]
        guard m.count > 0 else { continue }
        // Vectors are stored 1-D, as SAELens stores biases.
        let shape = m.rows == 1 ? [m.columns] : m.shape
        writer.add(p + name, floats: m.values, shape: shape)
      }
    }
    do {
      try writer.write(to: url)
    } catch {
      throw .writeFailed(file: url, reason: error.description)
    }
  }

  /// Reads the tensors (prefixed by `prefix`) of an autoencoder of `configuration`.
  static func readTensors(
    from url: URL, configuration c: AutoencoderConfiguration, prefix: String = ""
  ) throws(AutoencoderError) -> AutoencoderWeights {
    let file: SafetensorsFile
    do {
      file = try SafetensorsFile(url)
    } catch {
      throw .unreadable(file: url, reason: error.description)
    }
    let (d, m) = (c.inputWidth, c.codeWidth)
    func tensor(_ name: String, _ rows: Int, _ columns: Int) throws(AutoencoderError) -> Matrix {
      if rows * columns == 0 { return Matrix(rows: rows, columns: columns) }
      do {
        let values = try file.floats(prefix + name)
        guard values.count == rows * columns else {
          throw AutoencoderError.unreadable(
            file: url, reason: "tensor \(prefix + name) holds \(values.count) values, expected \(rows)×\(columns)")
        }
        return Matrix(rows: rows, columns: columns, values: values)
      } catch let error as AutoencoderError {
        throw error
      } catch {
        throw .unreadable(file: url, reason: "\(error)")
      }
    }
    return AutoencoderWeights(
      encoderWeight: try tensor("W_enc", d, m), encoderBias: try tensor("b_enc", 1, m),
      decoderWeight: try tensor("W_dec", m, d),
      decoderBias: c.decoderBias ? try tensor("b_dec", 1, d) : Matrix(rows: 1, columns: d),
      threshold: c.architecture == .jumprelu ? try tensor("threshold", 1, m) : Matrix(rows: 1, columns: 0))
  }
}
