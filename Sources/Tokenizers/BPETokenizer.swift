import Foundation

/// Everything that defines a byte-level BPE tokenizer, independent of the file it came from.
struct BPEDefinition: Sendable {
  /// The vocabulary string of each id (nil for ids no entry names).
  var tokens: [String?]
  /// Merges in rank order, as pairs of vocabulary strings.
  var merges: [(String, String)]
  var addedTokens: [AddedToken]
  var ignoreMerges: Bool
  var normalizer: Normalizer?
  var preTokenizer: PreTokenizer
  /// Ids the post-processor puts before and after the text (BOS, EOS).
  var prefixIDs: [Int32]
  var suffixIDs: [Int32]
  /// Whether the decoder is `ByteLevel` (else tokens are joined with spaces, as HF does without a decoder).
  var byteLevelDecoder: Bool
  var bosTokenID: Int32?
  var eosTokenID: Int32?
  /// The file named in errors.
  var file: String
}

/// A byte-level BPE tokenizer (GPT-2, Llama 3, SmolLM, Qwen families) with Hugging Face's exact ids.
///
/// Build it from a `tokenizer.json` (``init(tokenizerJSON:tokenizerConfig:)``) or from
/// GGUF arrays (``init(tokens:merges:tokenTypes:bosTokenID:eosTokenID:addBOS:preTokenizer:)``).
/// Pipeline, as in HF tokenizers: added tokens are cut out of the raw text first; each
/// remaining stretch is normalized (if the file has a normalizer), split by the
/// pre-tokenizer, mapped to bytes, and merged by BPE rank; the post-processor adds BOS.
/// Results per word are cached, so the type is a thread-safe class.
public final class BPETokenizer: Tokenizer {
  let definition: BPEDefinition
  private let model: BPEModel
  private let matcher: AddedTokenMatcher
  /// Bytes each id decodes to.
  private let tokenBytes: [[UInt8]]
  /// Where a text may be cut into separately encoded parts (``encodeIDs(_:from:length:)``).
  let cuts: SafeCuts

  public var vocabularySize: Int { definition.tokens.count }
  public var bosTokenID: Int32? { definition.bosTokenID }
  public var eosTokenID: Int32? { definition.eosTokenID }

  init(definition d: BPEDefinition) throws {
    guard d.preTokenizer.containsByteLevel else {
      throw TokenizerError.unsupported(
        file: d.file, path: "pre_tokenizer", value: "a BPE model without a ByteLevel pre-tokenizer")
    }
    var idOf: [String: Int32] = [:]
    idOf.reserveCapacity(d.tokens.count)
    var bytes: [[UInt8]] = []
    bytes.reserveCapacity(d.tokens.count)
    var lengths: [Int32] = []
    lengths.reserveCapacity(d.tokens.count)
    var wordIDs: [[UInt8]: Int32] = [:]
    let addedIDs = Set(d.addedTokens.map(\.id))
    for (id, token) in d.tokens.enumerated() {
      guard let token else {
        bytes.append([])
        lengths.append(0)
        continue
      }
      if idOf[token] == nil { idOf[token] = Int32(id) }
      if let b = ByteLevel.decode(token) {
        bytes.append(b)
        lengths.append(Int32(b.count))
        if !addedIDs.contains(Int32(id)), wordIDs[b] == nil { wordIDs[b] = Int32(id) }
      } else {
        bytes.append(Array(token.utf8))
        lengths.append(0)
      }
    }
    var byteIDs = [Int32](repeating: -1, count: 256)
    for b in 0..<256 {
      if let id = idOf[String(ByteLevel.byteToScalar[b])] { byteIDs[b] = id }
    }
    var merges: [UInt64: (rank: Int32, id: Int32)] = [:]
    merges.reserveCapacity(d.merges.count)
    for (rank, (a, b)) in d.merges.enumerated() {
      let path = "model.merges[\(rank)]"
      guard let ia = idOf[a] else {
        throw TokenizerError.invalidMerge(
          file: d.file, path: path, merge: "\(a) \(b)", reason: "`\(a)` is not in the vocabulary")
      }
      guard let ib = idOf[b] else {
        throw TokenizerError.invalidMerge(
          file: d.file, path: path, merge: "\(a) \(b)", reason: "`\(b)` is not in the vocabulary")
      }
      guard let im = idOf[a + b] else {
        throw TokenizerError.invalidMerge(
          file: d.file, path: path, merge: "\(a) \(b)", reason: "`\(a + b)` is not in the vocabulary")
      }
      let k = UInt64(UInt32(bitPattern: ia)) << 32 | UInt64(UInt32(bitPattern: ib))
      if merges[k] == nil { merges[k] = (Int32(rank), im) }
    }
    definition = d
    tokenBytes = bytes
    model = BPEModel(
      byteIDs: byteIDs, merges: merges, wordIDs: wordIDs, byteLengths: lengths, ignoreMerges: d.ignoreMerges)
    matcher = AddedTokenMatcher(d.addedTokens)
    cuts = SafeCuts(definition: d)
  }

  public func tokenString(for id: Int32) -> String? {
    guard id >= 0, Int(id) < definition.tokens.count else { return nil }
    return definition.tokens[Int(id)]
  }

  /// Encodes `text` as HF `tokenizer.encode(text)` does (special tokens in the text are matched).
  /// - Complexity: O(n log n) in the text length; words seen before come from the cache.
  public func encode(_ text: String) throws -> Encoding {
    encode(scalars: Array(text.unicodeScalars), prefix: true, suffix: true)
  }

  /// Encodes `scalars`, with the post-processor's leading ids when `prefix` and trailing ones
  /// when `suffix` (a part of a longer text has only the ones at its ends).
  func encode(scalars: [Unicode.Scalar], prefix: Bool, suffix: Bool) -> Encoding {
    // byteStart[k]: UTF-8 offset of scalar k (byteStart[n] = total length).
    var byteStart = [Int](repeating: 0, count: scalars.count + 1)
    var offset = 0
    for (k, s) in scalars.enumerated() {
      byteStart[k] = offset
      offset += UTF8.width(s)
    }
    byteStart[scalars.count] = offset

    var ids: [Int32] = []
    var offsets: [Range<Int>] = []
    ids.reserveCapacity(scalars.count / 3 + 4)
    offsets.reserveCapacity(scalars.count / 3 + 4)
    for id in definition.prefixIDs where prefix {
      ids.append(id)
      offsets.append(0..<0)
    }
    var cursor = 0
    for m in matcher.matches(in: scalars) {
      if m.range.lowerBound > cursor {
        encodeSegment(scalars, cursor..<m.range.lowerBound, byteStart, &ids, &offsets)
      }
      ids.append(m.id)
      offsets.append(byteStart[m.range.lowerBound]..<byteStart[m.range.upperBound])
      cursor = m.range.upperBound
    }
    if cursor < scalars.count {
      encodeSegment(scalars, cursor..<scalars.count, byteStart, &ids, &offsets)
    }
    for id in definition.suffixIDs where suffix {
      ids.append(id)
      offsets.append(offset..<offset)
    }
    return Encoding(ids: ids, offsets: offsets)
  }

  /// Normalizes, pre-tokenizes and BPE-encodes one stretch of text between added tokens.
  private func encodeSegment(
    _ scalars: [Unicode.Scalar], _ range: Range<Int>, _ byteStart: [Int], _ ids: inout [Int32],
    _ offsets: inout [Range<Int>]
  ) {
    var segment: [Unicode.Scalar]
    // For normalized text: the original byte range of each normalized scalar's character.
    var origin: [Range<Int>] = []
    if let normalizer = definition.normalizer {
      segment = []
      var view = String.UnicodeScalarView()
      view.append(contentsOf: scalars[range])
      var k = range.lowerBound
      for ch in String(view) {
        let count = ch.unicodeScalars.count
        let span = byteStart[k]..<byteStart[k + count]
        for s in normalizer.apply(String(ch)).unicodeScalars {
          segment.append(s)
          origin.append(span)
        }
        k += count
      }
    } else {
      segment = Array(scalars[range])
    }
    let classes = segment.map(ScalarClass.of)
    var pieces = [0..<segment.count]
    var buffer: [Range<Int>] = []
    var scratch: [Int] = []
    segment.withUnsafeBufferPointer { s in
      classes.withUnsafeBufferPointer { c in
        definition.preTokenizer.apply(s, c, pieces: &pieces, buffer: &buffer, scratch: &scratch)
      }
    }
    var word: [UInt8] = []
    var wordOrigin: [Range<Int>] = []
    var pieceIDs: [Int32] = []
    for piece in pieces where !piece.isEmpty {
      word.removeAll(keepingCapacity: true)
      wordOrigin.removeAll(keepingCapacity: true)
      for k in piece {
        let before = word.count
        UTF8.encode(segment[k]) { word.append($0) }
        if !origin.isEmpty {
          for _ in before..<word.count { wordOrigin.append(origin[k]) }
        }
      }
      pieceIDs.removeAll(keepingCapacity: true)
      model.tokenize(word, into: &pieceIDs)
      var position = 0
      let base = origin.isEmpty ? byteStart[range.lowerBound + piece.lowerBound] : 0
      for id in pieceIDs {
        let length = max(Int(model.byteLengths[Int(id)]), 0)
        ids.append(id)
        if origin.isEmpty {
          offsets.append((base + position)..<(base + position + length))
        } else if length > 0 {
          offsets.append(wordOrigin[position].lowerBound..<wordOrigin[position + length - 1].upperBound)
        } else {
          let at = position < wordOrigin.count ? wordOrigin[position].lowerBound : (wordOrigin.last?.upperBound ?? 0)
          offsets.append(at..<at)
        }
        position += length
      }
    }
  }

  /// Decodes as HF does with `skip_special_tokens=False`: the ByteLevel decoder maps
  /// every token back to bytes, and the bytes are read as UTF-8 with U+FFFD for invalid
  /// or incomplete sequences. Ids outside the vocabulary are skipped.
  public func decode(_ ids: [Int32]) -> String {
    if definition.byteLevelDecoder {
      var bytes: [UInt8] = []
      for id in ids where id >= 0 && Int(id) < tokenBytes.count { bytes.append(contentsOf: tokenBytes[Int(id)]) }
      return String(decoding: bytes, as: UTF8.self)
    }
    return ids.compactMap { tokenString(for: $0) }.joined(separator: " ")
  }
}
