import Tokenizers

/// Turns generated token ids into text deltas that never end inside a character.
///
/// Byte-level BPE can split one character's UTF-8 bytes across tokens, so decoding token by
/// token would print U+FFFD halves. As vLLM's `detokenize_incrementally` and transformers'
/// `TextStreamer` do, the detokenizer decodes a short window of recent ids and releases new text
/// only when the window does not end in an incomplete character (a trailing U+FFFD); the held
/// bytes are released by the token that completes them, or by ``finish()``.
///
/// Concatenating every delta gives `tokenizer.decode(ids)` for byte-level tokenizers.
public struct IncrementalDetokenizer {
  private let tokenizer: any Tokenizer
  private var ids: [Int32] = []
  /// Start of the window whose text has already been released up to `readOffset`.
  private var prefixOffset = 0
  /// Ids before this index have been released as text.
  private var readOffset = 0

  /// A detokenizer for ids of `tokenizer`.
  public init(tokenizer: any Tokenizer) { self.tokenizer = tokenizer }

  /// Every id appended so far.
  public var tokens: [Int32] { ids }

  /// Appends one generated id and returns the text it completes (possibly empty).
  public mutating func append(_ id: Int32) -> String {
    ids.append(id)
    let before = tokenizer.decode(Array(ids[prefixOffset..<readOffset]))
    let after = tokenizer.decode(Array(ids[prefixOffset...]))
    guard after.utf8.count > before.utf8.count, !after.hasSuffix("\u{FFFD}") else { return "" }
    let delta = String(decoding: after.utf8.dropFirst(before.utf8.count), as: UTF8.self)
    prefixOffset = readOffset
    readOffset = ids.count
    return delta
  }

  /// Releases whatever is still held (an incomplete character decodes to U+FFFD, as
  /// `tokenizer.decode` would).
  public mutating func finish() -> String {
    guard readOffset < ids.count else { return "" }
    let before = tokenizer.decode(Array(ids[prefixOffset..<readOffset]))
    let after = tokenizer.decode(Array(ids[prefixOffset...]))
    prefixOffset = readOffset
    readOffset = ids.count
    guard after.utf8.count > before.utf8.count else { return "" }
    return String(decoding: after.utf8.dropFirst(before.utf8.count), as: UTF8.self)
  }
}

/// Cuts generated text at the first stop string, holding back any tail that could still grow
/// into one, so a streamed answer never shows part of a stop string.
///
/// Matching is on Unicode scalars (a stop `"\n"` is found inside `"\r\n"`, which is one
/// `Character`). The stop string itself is not part of the output, as in OpenAI's API.
public struct StopStringFilter {
  private let stops: [[Unicode.Scalar]]
  private var pending: [Unicode.Scalar] = []
  /// Whether a stop string has been seen (later text is dropped).
  public private(set) var stopped = false

  /// A filter for `stops` (empty strings are ignored).
  public init(stops: [String]) {
    self.stops = stops.filter { !$0.isEmpty }.map { Array($0.unicodeScalars) }
  }

  /// Adds generated text and returns what can be shown now.
  public mutating func push(_ text: String) -> String {
    guard !stopped else { return "" }
    pending.append(contentsOf: text.unicodeScalars)
    guard !stops.isEmpty else { return flushAll() }
    // Earliest occurrence of any stop string.
    var cut: Int?
    for stop in stops {
      if let at = firstIndex(of: stop, in: pending), cut.map({ at < $0 }) ?? true { cut = at }
    }
    if let cut {
      stopped = true
      let out = String(String.UnicodeScalarView(pending[..<cut]))
      pending.removeAll()
      return out
    }
    // Hold back the longest tail that is a proper prefix of some stop string.
    var hold = 0
    for stop in stops {
      for length in stride(from: min(stop.count - 1, pending.count), to: hold, by: -1)
      where pending[(pending.count - length)...].elementsEqual(stop[..<length]) {
        hold = length
        break
      }
    }
    let out = String(String.UnicodeScalarView(pending[..<(pending.count - hold)]))
    pending.removeFirst(pending.count - hold)
    return out
  }

  /// Releases the held-back tail (generation ended without completing a stop string).
  public mutating func finish() -> String {
    guard !stopped else { return "" }
    return flushAll()
  }

  private mutating func flushAll() -> String {
    let out = String(String.UnicodeScalarView(pending))
    pending.removeAll()
    return out
  }

  private func firstIndex(of needle: [Unicode.Scalar], in haystack: [Unicode.Scalar]) -> Int? {
    guard needle.count <= haystack.count else { return nil }
    for start in 0...(haystack.count - needle.count)
    where haystack[start..<(start + needle.count)].elementsEqual(needle) {
      return start
    }
    return nil
  }
}
