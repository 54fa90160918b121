import ArgumentParser

/// `--layers`: `all`, or a comma-separated list of layers and ranges (`0,4,8-12`).
struct LayerList: ExpressibleByArgument, Sendable {
  /// `nil`: all layers.
  let layers: [Int]?

  init?(argument: String) {
    if argument == "all" {
      layers = nil
      return
    }
    var result: [Int] = []
    for item in argument.split(separator: ",") {
      let parts = item.split(separator: "-", maxSplits: 1).map { Int($0.trimmingCharacters(in: .whitespaces)) }
      if parts.count == 1, let l = parts[0], l >= 0 {
        result.append(l)
      } else if parts.count == 2, let a = parts[0], let b = parts[1], a >= 0, a <= b, b - a < 100_000 {
        result += Array(a...b)
      } else {
        return nil
      }
    }
    guard !result.isEmpty else { return nil }
    layers = result
  }

  static var defaultValueDescription: String { "all" }
}

/// A comma-separated list of non-negative integers (`--k 0,1,2,4,8`).
struct IntegerList: ExpressibleByArgument, Sendable {
  let values: [Int]

  init?(argument: String) {
    let values = argument.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !values.isEmpty, values.allSatisfy({ ($0 ?? -1) >= 0 }) else { return nil }
    self.values = values.map { $0! }
  }

  init(_ values: [Int]) { self.values = values }
}
