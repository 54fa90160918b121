import Checkpoints
import Foundation
import JSONSupport

/// The tensor table of a safetensors shard, parsed defensively: every number comes from the
/// file, so lengths and offsets are checked for overflow and against the file size before any
/// byte they point at is read.
///
/// Layout (safetensors spec): an 8-byte little-endian header length `N`, `N` bytes of JSON
/// `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {…}}`, then the data;
/// offsets are relative to the end of the header.
struct SafetensorsShardHeader {
  /// One tensor's entry, with its data offsets made absolute (bytes from the file start).
  struct Tensor {
    var dtype: String
    var shape: [Int]
    var begin: Int
    var end: Int
  }

  /// Tensors by name.
  var tensors: [String: Tensor]

  /// Parses the header of `file`.
  ///
  /// - Throws: a reason string (the caller names the file): a header longer than the file,
  ///   invalid JSON, a malformed entry, or data offsets outside the file.
  init(file: MappedFile) throws(ShardFormatIssue) {
    guard file.count >= 8, let base = file.bytes else {
      throw ShardFormatIssue("\(file.count) bytes, shorter than the 8-byte header length")
    }
    let declared = UInt64(littleEndian: base.loadUnaligned(as: UInt64.self))
    guard declared <= UInt64(file.count - 8) else {
      throw ShardFormatIssue("header length \(declared) exceeds the \(file.count - 8) bytes after it")
    }
    let headerLength = Int(declared)
    let dataStart = 8 + headerLength
    let entries: [String: Entry]
    do {
      entries = try JSONDecoder().decode(Table.self, from: Data(bytes: base + 8, count: headerLength)).entries
    } catch let error as DecodingError {
      throw ShardFormatIssue("header is not a valid safetensors table: \(error.plainDescription)")
    } catch {
      throw ShardFormatIssue("header is not a valid safetensors table: \(error.localizedDescription)")
    }
    var tensors: [String: Tensor] = [:]
    for (name, entry) in entries {
      guard entry.dataOffsets.count == 2, entry.dataOffsets[0] >= 0, entry.dataOffsets[1] >= entry.dataOffsets[0],
        let begin = CheckedSize.sum(dataStart, entry.dataOffsets[0]),
        let end = CheckedSize.sum(dataStart, entry.dataOffsets[1]), end <= file.count
      else {
        throw ShardFormatIssue(
          "tensor '\(name)' has data offsets \(entry.dataOffsets) outside the \(file.count - dataStart) data bytes")
      }
      guard entry.shape.allSatisfy({ $0 >= 0 }) else {
        throw ShardFormatIssue("tensor '\(name)' has a negative dimension in shape \(entry.shape)")
      }
      tensors[name] = Tensor(dtype: entry.dtype, shape: entry.shape, begin: begin, end: end)
    }
    self.tensors = tensors
  }

  /// A header entry as stored.
  private struct Entry: Decodable {
    var dtype: String
    var shape: [Int]
    var dataOffsets: [Int]
    enum CodingKeys: String, CodingKey { case dtype, shape, dataOffsets = "data_offsets" }
  }

  /// The header object: entries under any key but `__metadata__`.
  private struct Table: Decodable {
    var entries: [String: Entry] = [:]

    struct Key: CodingKey {
      var stringValue: String
      var intValue: Int? { nil }
      init(stringValue: String) { self.stringValue = stringValue }
      init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
      let container = try decoder.container(keyedBy: Key.self)
      for key in container.allKeys where key.stringValue != "__metadata__" {
        entries[key.stringValue] = try container.decode(Entry.self, forKey: key)
      }
    }
  }
}

/// Why a shard file's contents cannot be used; the caller wraps it into
/// ``FeatureSetError/unreadableShard(file:reason:)`` with the file's URL.
struct ShardFormatIssue: Error {
  let reason: String
  init(_ reason: String) { self.reason = reason }
}
