import FeatureSets
import Tokenizers

/// Cuts documents into model inputs as an extraction does: the tokenizer's ids, its own leading
/// BOS dropped, then windows of at most `context` ids, each starting with BOS as the policy says.
///
/// Shared by ``Extractor`` and the analyses that read text the way `bae extract` does (position
/// studies keep only each document's first window, so position p is the document's p-th token).
public struct WindowCutter: Sendable {
  /// Maximum window length, BOS included.
  public let context: Int
  /// The id put at the start of every window, or `nil` for none.
  public let bos: Int32?
  /// Whether the tokenizer adds a BOS by itself (dropped before cutting; ``bos`` replaces it per
  /// window).
  public let stripLeadingToken: Bool

  /// Decides the BOS handling of `policy` for `tokenizer`.
  ///
  /// - Throws: ``ExtractionError/invalidOption(_:)`` for ``BOSPolicy/on`` when the tokenizer has
  ///   no BOS token; tokenizer errors from the probe encoding.
  public init(tokenizer: any Tokenizer, context: Int, policy: BOSPolicy) throws {
    let bos = tokenizer.bosTokenID
    let probe = try tokenizer.encode("a").ids
    let addsBOS = bos != nil && probe.first == bos
    switch policy {
    case .auto: self.bos = addsBOS ? bos : nil
    case .off: self.bos = nil
    case .on:
      guard let bos else {
        throw ExtractionError.invalidOption(
          .init(option: .bos, reason: "'on' needs a BOS token, and the tokenizer has none"))
      }
      self.bos = bos
    }
    self.context = context
    stripLeadingToken = addsBOS
  }

  /// The windows of a document whose ids (as the tokenizer encoded it) are `ids`; none for an
  /// empty document. See ``contextWindows(of:context:bos:stripLeadingToken:)``.
  public func windows(of ids: [Int32]) -> [[Int32]] {
    contextWindows(of: ids, context: context, bos: bos, stripLeadingToken: stripLeadingToken)
  }
}

extension WindowCutter {
  /// The default length of the parts a document is encoded in (Unicode scalars): the
  /// tokenizer's working memory is bounded by a part, not by the document.
  public static let defaultPartLength = 1 << 16

  /// The windows of `text`, produced one at a time from parts of about `partLength` scalars
  /// encoded one by one (``Tokenizers/Tokenizer/encodeIDs(_:from:length:)``): the same windows,
  /// in the same order, as ``windows(of:)`` on the whole document's ids.
  public func windowStream(of text: String, tokenizer: any Tokenizer, partLength: Int = defaultPartLength)
    -> WindowStream
  {
    WindowStream(text: text, tokenizer: tokenizer, cutter: self, partLength: partLength)
  }
}

/// One document's windows, cut lazily: the text is encoded a part at a time, only as far as the
/// windows asked for need, so memory holds one part's ids and one window whatever the document's
/// length, and an extraction that stops early (a token limit) never encodes the rest.
public struct WindowStream {
  let text: String
  let tokenizer: any Tokenizer
  let cutter: WindowCutter
  let partLength: Int
  /// Where the next part starts; `nil` once the text is encoded.
  private var next: String.Index?
  /// Encoded ids not yet in a window (from `used` on).
  private var pending: [Int32] = []
  private var used = 0
  private var leadingTokenDropped = false

  init(text: String, tokenizer: any Tokenizer, cutter: WindowCutter, partLength: Int) {
    self.text = text
    self.tokenizer = tokenizer
    self.cutter = cutter
    self.partLength = max(1, partLength)
    next = text.startIndex
  }

  /// The next window, or `nil` after the last.
  ///
  /// - Throws: tokenizer errors.
  public mutating func nextWindow() throws -> [Int32]? {
    let step = cutter.context - (cutter.bos == nil ? 0 : 1)
    while pending.count - used < step, let start = next {
      let part = try tokenizer.encodeIDs(text, from: start, length: partLength)
      next = part.end < text.endIndex ? part.end : nil
      if used > 0 {
        pending.removeSubrange(0..<used)
        used = 0
      }
      var ids = part.ids[...]
      if cutter.stripLeadingToken, !leadingTokenDropped {
        leadingTokenDropped = true
        ids = ids.dropFirst()
      }
      pending.append(contentsOf: ids)
    }
    guard used < pending.count else { return nil }
    let end = min(pending.count, used + step)
    var window: [Int32] = []
    window.reserveCapacity(end - used + 1)
    if let bos = cutter.bos { window.append(bos) }
    window.append(contentsOf: pending[used..<end])
    used = end
    return window
  }
}
