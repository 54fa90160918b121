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
