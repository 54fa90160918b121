import Digests
import Foundation
import TensorCore

extension FeatureManifest {
  /// Which part of a sharded extraction a set is: part ``index`` of ``count``, holding the
  /// documents that ``assignment`` gives to it.
  ///
  /// Every part of one extraction writes its own directory, `OUT/part-IIIII/` (``directoryName``),
  /// with its own manifest and shards; `doc_index` stays the document's ordinal in the whole
  /// corpus, so rows of different parts never collide. ``FeatureSetMerge`` checks the parts
  /// and writes `OUT/manifest.json` listing the shards of all of them.
  public struct Part: Codable, Sendable, Hashable, CustomStringConvertible {
    /// 0-based index of the part.
    public var index: Int
    /// Number of parts.
    public var count: Int
    /// The rule that assigns documents to parts, in words (parts merged together must agree).
    public var assignment: String

    /// A part record.
    public init(index: Int, count: Int, assignment: String) {
      self.index = index
      self.count = count
      self.assignment = assignment
    }

    /// `I/N`.
    public var description: String { "\(index)/\(count)" }

    /// The assignment rule this build uses, as recorded in ``assignment``.
    public static let currentAssignment =
      "sha256(relative path NUL archive member NUL ordinal in member), first 8 bytes big-endian, mod count"

    /// The part (in `0..<count`) a document belongs to under ``currentAssignment``.
    ///
    /// The key is the UTF-8 of the document's file path relative to its corpus root, a NUL
    /// byte, the archive member's name (empty outside archives), a NUL byte, and the decimal
    /// 0-based ordinal of the document among those its member (or file) gave. The part is the
    /// first 8 bytes of the key's SHA-256, read as a big-endian unsigned integer, modulo
    /// `count`. It depends on nothing else (not on other files, the machine or the process),
    /// so every document is in exactly one part whatever the count. In Python:
    /// `int.from_bytes(hashlib.sha256(key).digest()[:8], "big") % count`.
    ///
    /// - Precondition: `count ≥ 1`.
    public static func owner(relativePath: String, member: String?, ordinal: Int, count: Int) -> Int {
      precondition(count >= 1, "a part count must be positive")
      var key = Data(relativePath.utf8)
      key.append(0)
      key.append(contentsOf: Array((member ?? "").utf8))
      key.append(0)
      key.append(contentsOf: Array(String(ordinal).utf8))
      let digest = Array(SHA256.hash(data: key))
      let value = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
      return Int(value % UInt64(count))
    }

    /// The part's directory name, `part-00003` (five digits at least).
    public var directoryName: String { Self.directoryName(index: index) }

    /// `part-` and `index` written with at least five digits.
    public static func directoryName(index: Int) -> String {
      let digits = String(index)
      return "part-" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }

    /// The index named by a part directory name (`part-00003` → 3), or `nil` for other names.
    public static func index(ofDirectoryName name: String) -> Int? {
      guard name.hasPrefix("part-") else { return nil }
      let digits = name.dropFirst(5)
      guard digits.count >= 5, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
      return Int(digits)
    }
  }

  /// One part of a merged set, as the merged manifest lists it.
  public struct MergedPart: Codable, Sendable, Equatable {
    /// The part's directory, relative to the merged set (`part-00000`).
    public var path: String
    /// Its index.
    public var index: Int
    /// The number of parts of the extraction (the same in every record).
    public var count: Int
    /// Rows in its listed shards.
    public var tokens: Int
    /// Shards listed.
    public var shards: Int
    /// Documents it used (sampled in, in this part, with at least one window).
    public var documentsUsed: Int64
    /// Whether its extraction had finished when the set was merged.
    public var complete: Bool
    /// Threads (and precision) of its run.
    public var compute: ComputeContext

    /// A merged-part record.
    public init(
      path: String, index: Int, count: Int, tokens: Int, shards: Int, documentsUsed: Int64, complete: Bool,
      compute: ComputeContext
    ) {
      self.path = path
      self.index = index
      self.count = count
      self.tokens = tokens
      self.shards = shards
      self.documentsUsed = documentsUsed
      self.complete = complete
      self.compute = compute
    }
  }

  /// Whether this manifest describes a merged set (``parts`` is set).
  public var isMerged: Bool { parts != nil }
}
