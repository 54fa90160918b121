import HookPoints

/// Why a position study cannot run: each case names the value at fault and what to change.
///
/// Messages speak of options by their `positions.json` keys; a front end maps them to its flags.
public enum PositionStudyError: Error, CustomStringConvertible, Equatable {
  /// An option value that makes no sense (`key`: its JSON key).
  case invalidOption(key: String, reason: String)
  /// The group list is empty.
  case noGroups
  /// Groups out of order or sharing positions (each group is named by its first position).
  case groupsOverlap(PositionGroup, PositionGroup)
  /// A group reaches past the last position of a window.
  case groupBeyondContext(PositionGroup, context: Int)
  /// No layers, a layer the model lacks, or a model-level site.
  case layers(StudyLayerError)
  /// No document of the corpus has `minTokens` tokens in its first window.
  case noDocuments(minTokens: Int, documentsRead: Int)
  /// A group holds fewer than two states: no BAE can be fitted to it.
  case tooFewRows(PositionGroup, rows: Int, documents: Int)

  public var description: String {
    switch self {
    case .invalidOption(let key, let reason):
      return "option \(key) \(reason)"
    case .noGroups:
      return "no positions to study"
    case .groupsOverlap(let a, let b):
      return "position groups must be in increasing order without sharing positions, but \(b) follows \(a)"
    case .groupBeyondContext(let group, let context):
      return
        "position \(group.last) (group \(group)) is beyond the window: a context of \(context) tokens has positions 0…\(context - 1); raise the context or drop the position"
    case .layers(let error):
      return error.description
    case .noDocuments(let minTokens, let read):
      return
        "none of the \(read) documents read has \(minTokens) tokens (the last studied position + 1 unless min_tokens says otherwise); study earlier positions or give a corpus of longer documents"
    case .tooFewRows(let group, let rows, let documents):
      return
        "position group \(group) holds \(rows) state\(rows == 1 ? "" : "s") from \(documents) documents; an entropy estimate needs at least 2: read more documents, raise min_tokens, or drop the position"
    }
  }
}
