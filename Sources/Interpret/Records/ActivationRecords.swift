import Checkpoints
import Foundation

// Legend: m = features, n = tokens.

/// The activation records of a run: per feature, the tokens it was among the top-k of, in
/// corpus order; with the documents they point into and each feature's active count.
///
/// On disk, a directory of three files (all written atomically):
///
/// - `manifest.json`: ``RecordManifest``;
/// - `documents.jsonl`: one ``RecordDocument`` per line (`{"text": …, "tokens": […]}`), the
///   string table records point into;
/// - `records.bin`, little-endian: the magic `BAEREC01`, `m` and `n` (UInt64), `m` active counts
///   (UInt64), `m + 1` record offsets (UInt64; feature `j`'s records are `offsets[j]..<offsets[j+1]`),
///   then the records, 12 bytes each: document (UInt32), position (UInt32), score (Float32).
public struct ActivationRecords: Sendable, Equatable {
  public static let manifestName = "manifest.json"
  public static let documentsName = "documents.jsonl"
  public static let recordsName = "records.bin"
  static let magic = Array("BAEREC01".utf8)

  public var manifest: RecordManifest
  public var documents: [RecordDocument]
  /// `[m]`: each feature's records.
  public var records: [[ActivationRecord]]
  /// `[m]`: tokens where each feature is active (all 0 when the manifest has no activity).
  public var active: [Int]

  public init(manifest: RecordManifest, documents: [RecordDocument], records: [[ActivationRecord]], active: [Int]) {
    precondition(records.count == manifest.codeWidth && active.count == manifest.codeWidth, "one list per feature")
    self.manifest = manifest
    self.documents = documents
    self.records = records
    self.active = active
  }

  /// Share of tokens where feature `j` is active, or nil without activity counts.
  public func firingRate(_ j: Int) -> Double? {
    guard manifest.hasActivity, manifest.tokens > 0 else { return nil }
    return Double(active[j]) / Double(manifest.tokens)
  }

  /// The token text of `record`.
  public func token(_ record: ActivationRecord) -> String { documents[record.document].tokens[record.position] }

  /// The text of the document `record` is in.
  public func sentence(_ record: ActivationRecord) -> String { documents[record.document].text }

  /// Writes the three files into `directory` (created if needed).
  ///
  /// - Throws: ``InterpretError/writeFailed(file:reason:)``.
  public func write(to directory: URL) throws(InterpretError) {
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
      throw .writeFailed(file: directory.path, reason: error.localizedDescription)
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    var lines = Data()
    let manifestURL = directory.appendingPathComponent(Self.manifestName)
    do {
      for document in documents {
        lines.append(try encoder.encode(document))
        lines.append(0x0A)
      }
      encoder.outputFormatting.insert(.prettyPrinted)
      try AtomicFile.write(lines, to: directory.appendingPathComponent(Self.documentsName))
      try AtomicFile.write(binary(), to: directory.appendingPathComponent(Self.recordsName))
      // The manifest last: a directory with one is complete.
      try AtomicFile.write(try encoder.encode(manifest), to: manifestURL)
    } catch let error as AtomicFileError {
      throw .writeFailed(file: error.file.path, reason: error.reason)
    } catch {
      throw .writeFailed(file: manifestURL.path, reason: "\(error)")
    }
  }

  /// `records.bin`'s bytes.
  func binary() -> Data {
    var data = Data(Self.magic)
    func put<T: FixedWidthInteger>(_ value: T) {
      withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
    }
    put(UInt64(records.count))
    put(UInt64(manifest.tokens))
    for a in active { put(UInt64(a)) }
    var offset = 0
    put(UInt64(0))
    for list in records {
      offset += list.count
      put(UInt64(offset))
    }
    data.reserveCapacity(data.count + offset * 12)
    for list in records {
      for r in list {
        put(UInt32(r.document))
        put(UInt32(r.position))
        put(r.score.bitPattern)
      }
    }
    return data
  }

  /// Reads a directory written by ``write(to:)``.
  ///
  /// - Throws: ``InterpretError/unreadable(file:reason:)`` for a missing or damaged file, or
  ///   records that point outside the documents.
  public static func read(from directory: URL) throws(InterpretError) -> ActivationRecords {
    let manifestURL = directory.appendingPathComponent(manifestName)
    let manifest: RecordManifest
    do {
      manifest = try JSONDecoder().decode(RecordManifest.self, from: Data(contentsOf: manifestURL))
    } catch {
      throw .unreadable(file: manifestURL.path, reason: "not a records manifest (\(error))")
    }
    guard manifest.format == RecordManifest.formatName, manifest.version == 1 else {
      throw .unreadable(file: manifestURL.path, reason: "format \(manifest.format) version \(manifest.version)")
    }
    let documentsURL = directory.appendingPathComponent(documentsName)
    var documents: [RecordDocument] = []
    do {
      let data = try Data(contentsOf: documentsURL)
      let decoder = JSONDecoder()
      for line in data.split(separator: 0x0A) where !line.isEmpty {
        documents.append(try decoder.decode(RecordDocument.self, from: Data(line)))
      }
    } catch {
      throw .unreadable(file: documentsURL.path, reason: "\(error)")
    }
    let recordsURL = directory.appendingPathComponent(recordsName)
    let bytes: Data
    do {
      bytes = try Data(contentsOf: recordsURL)
    } catch {
      throw .unreadable(file: recordsURL.path, reason: error.localizedDescription)
    }
    func damaged(_ reason: String) -> InterpretError { .unreadable(file: recordsURL.path, reason: reason) }
    let raw = [UInt8](bytes)
    do {
      var cursor = 0
      func next<T: FixedWidthInteger>(_: T.Type) throws(InterpretError) -> T {
        guard cursor + MemoryLayout<T>.size <= raw.count else { throw damaged("file ends early") }
        defer { cursor += MemoryLayout<T>.size }
        return raw.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: cursor, as: T.self)) }
      }
      guard raw.count >= magic.count, Array(raw[0..<magic.count]) == magic else { throw damaged("not a records file") }
      cursor = magic.count
      let m = Int(try next(UInt64.self))
      let n = Int(try next(UInt64.self))
      guard m == manifest.codeWidth, n == manifest.tokens else {
        throw damaged(
          "holds \(m) features over \(n) tokens, the manifest says \(manifest.codeWidth) over \(manifest.tokens)")
      }
      var active = [Int](repeating: 0, count: m)
      for j in 0..<m { active[j] = Int(try next(UInt64.self)) }
      var offsets = [Int](repeating: 0, count: m + 1)
      for j in 0...m { offsets[j] = Int(try next(UInt64.self)) }
      guard offsets[0] == 0, zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 }),
        raw.count - cursor == offsets[m] * 12
      else { throw damaged("record offsets do not match the file's size") }
      var records = [[ActivationRecord]](repeating: [], count: m)
      for j in 0..<m {
        records[j].reserveCapacity(offsets[j + 1] - offsets[j])
        for _ in offsets[j]..<offsets[j + 1] {
          let document = Int(try next(UInt32.self))
          let position = Int(try next(UInt32.self))
          let score = Float(bitPattern: try next(UInt32.self))
          guard document < documents.count, position < documents[document].tokens.count else {
            throw damaged(
              "a record of feature \(j) points at token \(position) of document \(document), which \(documentsName) lacks"
            )
          }
          records[j].append(ActivationRecord(document: document, position: position, score: score))
        }
      }
      return ActivationRecords(manifest: manifest, documents: documents, records: records, active: active)
    }
  }
}
