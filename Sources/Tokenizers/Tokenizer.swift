import Foundation

/// The result of encoding a string: token ids and, for each, where it came from.
///
/// `offsets[i]` is the UTF-8 **byte** range of token `i` in the input string
/// (`Array(text.utf8)[offsets[i]]` are the bytes it covers). A byte-level token
/// can cover part of a multi-byte character, so two neighbouring tokens may split
/// one character's bytes. Tokens added by the post-processor (BOS) have an empty
/// range at their position (`0..<0` for a leading BOS). When a normalizer rewrote
/// the text (NFC), a token maps to the bytes of the whole characters it came from.
public struct Encoding: Sendable, Equatable {
  /// Token ids, in order.
  public var ids: [Int32]
  /// UTF-8 byte range of each token in the input; same count as `ids`.
  public var offsets: [Range<Int>]

  /// Creates an encoding from parallel arrays.
  public init(ids: [Int32], offsets: [Range<Int>]) {
    self.ids = ids
    self.offsets = offsets
  }
}

/// A text tokenizer: the one protocol the rest of bae uses.
///
/// Implementations: ``BPETokenizer`` (byte-level BPE from `tokenizer.json` or GGUF
/// arrays) and ``SentencePieceTokenizer`` (`tokenizer.model`). Load whichever a
/// directory holds with ``TokenizerLoader/load(directory:)``.
public protocol Tokenizer: Sendable {
  /// Encodes `text` into ids with byte offsets, adding BOS when the tokenizer's configuration says so.
  /// - Throws: ``TokenizerError`` when the underlying library fails.
  func encode(_ text: String) throws -> Encoding
  /// Decodes ids back to text, as Hugging Face's `decode(ids, skip_special_tokens=False)` does.
  /// Incomplete UTF-8 (a prefix of a sequence) decodes to U+FFFD.
  func decode(_ ids: [Int32]) -> String
  /// The raw vocabulary string of `id` (for example `"Ġthe"` or `"▁the"`), or nil when out of range.
  func tokenString(for id: Int32) -> String?
  /// Number of ids (the largest id plus one, added tokens included).
  var vocabularySize: Int { get }
  /// The beginning-of-sequence id, if the tokenizer has one.
  var bosTokenID: Int32? { get }
  /// The end-of-sequence id, if the tokenizer has one.
  var eosTokenID: Int32? { get }
  /// Encodes the part of `text` that starts at `start`, about `length` Unicode scalars long,
  /// cut only where the tokenizer's pipeline cannot join tokens across the cut, so that calling
  /// it again from the returned `end` until `end == text.endIndex` and concatenating the ids
  /// gives exactly `encodeIDs(text)` (BOS with the first part, EOS with the last).
  ///
  /// This bounds the tokenizer's working memory by `length` instead of the document's size.
  /// A tokenizer that cannot cut safely encodes the whole rest of the text at once (the default).
  ///
  /// - Parameters:
  ///   - text: the whole document.
  ///   - start: `text.startIndex`, or an `end` returned by an earlier call on the same text.
  ///   - length: the number of scalars to aim for (a part may be longer: it ends at the first
  ///     safe cut at or after `length` scalars).
  /// - Returns: the part's ids and where the next part starts.
  /// - Throws: ``TokenizerError`` when the underlying library fails.
  func encodeIDs(_ text: String, from start: String.Index, length: Int) throws -> (ids: [Int32], end: String.Index)
}

extension Tokenizer {
  /// Encodes `text` and returns only the ids.
  public func encodeIDs(_ text: String) throws -> [Int32] { try encode(text).ids }

  /// The whole text at once: tokenizers without safe cut points.
  public func encodeIDs(_ text: String, from start: String.Index, length: Int) throws -> (
    ids: [Int32], end: String.Index
  ) {
    precondition(start == text.startIndex, "a tokenizer without cut points encodes the whole text in one part")
    return (try encodeIDs(text), text.endIndex)
  }
}

/// Loads whichever tokenizer a model directory holds.
public enum TokenizerLoader {
  /// Loads `tokenizer.json` (with `tokenizer_config.json` when present) or, failing that, `tokenizer.model`.
  /// - Parameter directory: a model directory.
  /// - Throws: ``TokenizerError/noTokenizerFile(directory:)`` when neither file exists, or any loading error.
  public static func load(directory: URL) throws -> any Tokenizer {
    let fm = FileManager.default
    let json = directory.appendingPathComponent("tokenizer.json")
    let config = directory.appendingPathComponent("tokenizer_config.json")
    let model = directory.appendingPathComponent("tokenizer.model")
    let configURL = fm.fileExists(atPath: config.path) ? config : nil
    if fm.fileExists(atPath: json.path) {
      return try BPETokenizer(tokenizerJSON: json, tokenizerConfig: configURL)
    }
    if fm.fileExists(atPath: model.path) {
      return try SentencePieceTokenizer(modelFile: model, tokenizerConfig: configURL)
    }
    throw TokenizerError.noTokenizerFile(directory: directory.path)
  }
}
