import ArgumentParser
import Studies

/// `--positions`: comma-separated position groups, each a single position or a range
/// (`0,1,2,4,8-15,16-31`).
struct PositionList: ExpressibleByArgument, Sendable {
  let groups: [PositionGroup]

  init?(argument: String) {
    var groups: [PositionGroup] = []
    for item in argument.split(separator: ",", omittingEmptySubsequences: false) {
      let parts = item.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map {
        Int($0.trimmingCharacters(in: .whitespaces))
      }
      if parts.count == 1, let p = parts[0], p >= 0 {
        groups.append(PositionGroup(p))
      } else if parts.count == 2, let a = parts[0], let b = parts[1], a >= 0, a <= b {
        groups.append(PositionGroup(a, b))
      } else {
        return nil
      }
    }
    guard !groups.isEmpty else { return nil }
    self.groups = groups
  }

  static var defaultValueDescription: String { "0,1,2,4,… up to the context" }
}
