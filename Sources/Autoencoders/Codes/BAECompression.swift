import Checkpoints
import FeatureSets
import Foundation
import HookPoints
import TensorCore

/// The reference's compression of hidden states into BAE codes (`util/compression.py`,
/// `shared/reference/bae-method.md` §9), over a feature set, with bounded memory: the code means
/// `p` of the first rows, the majority bits `round(p)`, and per row the codes that deviate from
/// them (``MajorityCode``), written as a ``CompressedCodes`` file; decompression flips those
/// bits of the majority code and runs the BAE decoder.
///
/// The reference sets `p` on its first `encode()` call, from the rows cached until then, and
/// reuses it for every later call; here `p` comes from the first ``Options/meanRows`` rows of the
/// set (default: all of them).
public enum BAECompression {
  /// Options of ``compress(_:autoencoder:hook:to:options:progress:)``.
  public struct Options: Sendable, Equatable {
    /// Rows `p` is measured on: the first this many of the set (`nil`: every row, the default;
    /// the reference uses the rows of its first `encode()` call).
    public var meanRows: Int?
    /// What happens at `p_j = 0.5` (default: the reference's rule, which loses those 1 bits).
    public var tieRule: TieRule
    /// Rows encoded at a time.
    public var batchSize: Int
    /// Threads for the encoder's matrix product.
    public var context: ComputeContext

    public init(
      meanRows: Int? = nil, tieRule: TieRule = .reference, batchSize: Int = 4096,
      context: ComputeContext = ComputeContext()
    ) {
      self.meanRows = meanRows
      self.tieRule = tieRule
      self.batchSize = batchSize
      self.context = context
    }
  }

  /// What a compression run wrote, and how small it is.
  public struct Report: Sendable, Equatable {
    /// Rows (tokens) compressed.
    public var rows: Int
    /// Rows `p` was measured on.
    public var meanRows: Int
    /// Code width `m`.
    public var codeWidth: Int
    /// Deviations stored (`nnz`).
    public var storedBits: Int
    /// Bits that differ from the majority but were not stored (codes with `p = 0.5` under
    /// ``TieRule/reference``); they decode as 0.
    public var lostBits: Int
    /// Codes with `p_j = 0.5`.
    public var tieCodes: Int
    /// Size of the file written.
    public var fileBytes: Int
    /// `Σ_j H_b(p_j)` with `p` measured over every row compressed.
    public var entropyBitsPerToken: Double

    /// The file's size per row, in bits: what this encoding actually costs.
    public var bitsPerToken: Double { rows == 0 ? 0 : Double(fileBytes) * 8 / Double(rows) }
    /// Bits per stored index: 16 (I16, code widths up to 32768) or 32.
    public var indexBits: Int
    /// The deviation indices alone, per row.
    public var indexBitsPerToken: Double { rows == 0 ? 0 : Double(storedBits * indexBits) / Double(rows) }
    /// Deviations stored per row.
    public var deviationsPerToken: Double { rows == 0 ? 0 : Double(storedBits) / Double(rows) }
  }

  /// Compresses `set`'s rows of `hook` (default: the BAE's input hook) into `file`.
  ///
  /// Two sequential passes: the first counts the codes of the first ``Options/meanRows`` rows,
  /// the second encodes every row and writes its deviations (to a temporary file beside `file`,
  /// since their number is known only at the end). Memory: one batch.
  ///
  /// - Throws: ``CodeError``: `.notBinary`, `.outputExists`, `.invalidOption`, the hook errors
  ///   of ``FeatureSet/inputRecord(for:hook:)``, `.featureSet`, `.writeFailed`.
  public static func compress(
    _ set: FeatureSet, autoencoder: Autoencoder, hook: HookPoint? = nil, to file: URL, options: Options = Options(),
    progress: (CodeProgress) -> Void = { _ in }
  ) throws(CodeError) -> Report {
    let c = autoencoder.configuration
    guard c.architecture.isBinary else { throw .notBinary(architecture: c.architecture.rawValue) }
    if let meanRows = options.meanRows, meanRows < 1 {
      throw .invalidOption("the rows for the code means must be at least 1, got \(meanRows)")
    }
    let record = try set.inputRecord(for: autoencoder, hook: hook)
    guard !FileManager.default.fileExists(atPath: file.path) else { throw .outputExists(file) }
    try createParent(of: file)
    let meanRows = min(options.meanRows ?? set.rowCount, set.rowCount)
    let m = c.codeWidth
    // Indices are stored as I16 whenever every code index fits (8192 and 12288 codes do).
    let indexType: DType = m <= Int(Int16.max) + 1 ? .int16 : .int32

    // Pass 1: p over the first meanRows rows.
    var statistics = BitStatistics(codeWidth: m)
    var batches = try set.sequentialBatches(of: record, batchSize: options.batchSize)
    while statistics.rows < meanRows, let batch = try batches.nextBatch() {
      let codes = autoencoder.encode(batch.values[0], context: options.context)
      statistics.add(codes, rows: 0..<min(batch.rows, meanRows - statistics.rows))
      progress(CodeProgress(rows: statistics.rows, totalRows: meanRows, pass: 1, passCount: 2))
    }
    let model = MajorityCode(statistics: statistics, tieRule: options.tieRule)

    // Pass 2: every row's deviations, to temporary files.
    let offsetsFile = try ScratchFile(beside: file, tag: "offsets")
    let indicesFile = try ScratchFile(beside: file, tag: "indices")
    try offsetsFile.append([Int64(0)].littleEndianData)
    var everyRow = BitStatistics(codeWidth: m)
    var stored = 0
    var lost = 0
    var row: [Int32] = []
    batches = try set.sequentialBatches(of: record, batchSize: options.batchSize)
    while let batch = try batches.nextBatch() {
      let codes = autoencoder.encode(batch.values[0], context: options.context)
      everyRow.add(codes)
      var batchIndices: [Int32] = []
      var batchOffsets: [Int64] = []
      for r in 0..<batch.rows {
        row.removeAll(keepingCapacity: true)
        lost += model.deviations(of: codes, row: r, into: &row)
        batchIndices += row
        stored += row.count
        batchOffsets.append(Int64(stored))
      }
      try indicesFile.append(
        indexType == .int16 ? batchIndices.map { Int16($0) }.littleEndianData : batchIndices.littleEndianData)
      try offsetsFile.append(batchOffsets.littleEndianData)
      progress(CodeProgress(rows: everyRow.rows, totalRows: set.rowCount, pass: 2, passCount: 2))
    }

    let metadata = [
      "format": CompressedCodes.formatName, "version": "1", "hook": record.name, "input_width": "\(c.inputWidth)",
      "code_width": "\(m)", "rows": "\(everyRow.rows)", "mean_rows": "\(statistics.rows)",
      "tie_rule": options.tieRule.rawValue,
    ]
    let header = SafetensorsHeader(
      entries: [
        .init(name: "majority", dtype: .uint8, shape: [m]), .init(name: "mean", dtype: .float32, shape: [m]),
        .init(name: "row_offsets", dtype: .int64, shape: [everyRow.rows + 1]),
        .init(name: "indices", dtype: indexType, shape: [stored]),
      ], metadata: metadata)
    let bytes: Int
    do {
      bytes = try AtomicFile.write(to: file) { sink in
        try sink(header.encoded())
        try sink(Data(model.majority))
        try sink(model.mean.littleEndianData)
        try offsetsFile.forEachChunk { try sink($0) }
        try indicesFile.forEachChunk { try sink($0) }
      }
    } catch let error as CodeError {
      throw error
    } catch {
      throw .writeFailed(file: file, reason: (error as? AtomicFileError)?.reason ?? "\(error)")
    }
    return Report(
      rows: everyRow.rows, meanRows: statistics.rows, codeWidth: m, storedBits: stored, lostBits: lost,
      tieCodes: statistics.ties.filter { $0 }.count, fileBytes: bytes, entropyBitsPerToken: everyRow.entropyBits,
      indexBits: 8 * indexType.byteCount)
  }

  /// Rebuilds the codes of a compressed file and decodes them with `autoencoder` into a
  /// safetensors file holding `reconstruction` F32 `[n, d]` (rows in the compressed order;
  /// `__metadata__`: `format` `bae-reconstruction`, `hook`, `rows`).
  ///
  /// One pass in batches of `batchSize` rows, written as they are decoded: memory is one batch.
  ///
  /// - Returns: the rows written.
  /// - Throws: ``CodeError``: `.notBinary`, `.outputExists`, `.invalidOption`, `.unreadable`,
  ///   `.malformedFile` (including a code width or input width other than the autoencoder's),
  ///   `.writeFailed`.
  @discardableResult
  public static func decompress(
    from file: URL, autoencoder: Autoencoder, to output: URL, batchSize: Int = 4096,
    context: ComputeContext = ComputeContext(),
    progress: (CodeProgress) -> Void = { _ in }
  ) throws(CodeError) -> Int {
    let c = autoencoder.configuration
    guard c.architecture.isBinary else { throw .notBinary(architecture: c.architecture.rawValue) }
    guard batchSize > 0 else { throw .invalidOption("the batch size must be positive, got \(batchSize)") }
    let compressed = try CompressedCodes(contentsOf: file)
    guard compressed.codeWidth == c.codeWidth else {
      throw .malformedFile(
        file: file,
        reason: "holds codes of width \(compressed.codeWidth), but the autoencoder's code width is \(c.codeWidth)")
    }
    if let width = compressed.inputWidth, width != c.inputWidth {
      throw .malformedFile(
        file: file, reason: "was compressed by an autoencoder of input width \(width), not \(c.inputWidth)")
    }
    guard !FileManager.default.fileExists(atPath: output.path) else { throw .outputExists(output) }
    try createParent(of: output)
    let n = compressed.rows
    var metadata = ["format": "bae-reconstruction", "rows": "\(n)"]
    if let hook = compressed.hook { metadata["hook"] = hook }
    let header = SafetensorsHeader(
      entries: [.init(name: "reconstruction", dtype: .float32, shape: [n, c.inputWidth])], metadata: metadata)
    do {
      try AtomicFile.write(to: output) { sink in
        try sink(header.encoded())
        var start = 0
        while start < n {
          let range = start..<min(start + batchSize, n)
          let reconstruction = autoencoder.reconstruction(
            fromCodes: try compressed.codes(rows: range), context: context)
          try sink(reconstruction.values.littleEndianData)
          start = range.upperBound
          progress(CodeProgress(rows: start, totalRows: n))
        }
      }
    } catch let error as CodeError {
      throw error
    } catch {
      throw .writeFailed(file: output, reason: (error as? AtomicFileError)?.reason ?? "\(error)")
    }
    return n
  }

  /// Creates the folder `file` goes into.
  private static func createParent(of file: URL) throws(CodeError) {
    let folder = file.deletingLastPathComponent()
    do {
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    } catch {
      throw .writeFailed(file: folder, reason: error.localizedDescription)
    }
  }
}
