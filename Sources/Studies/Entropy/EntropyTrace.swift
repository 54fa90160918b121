import Foundation
import Plots

/// One estimate of a study: a set of states at one layer and group (ICL: `k`; positions: a
/// position group).
public struct EntropyTraceCell: Codable, Sendable, Equatable {
  public var layer: Int
  public var hook: String
  public var group: Int
  /// States in the set.
  public var rows: Int
  public var entropy: EntropySpread

  public init(layer: Int, hook: String, group: Int, rows: Int, entropy: EntropySpread) {
    self.layer = layer
    self.hook = hook
    self.group = group
    self.rows = rows
    self.entropy = entropy
  }
}

/// The cells of a study and their CSV and SVG forms.
public struct EntropyTrace: Codable, Sendable, Equatable {
  public var cells: [EntropyTraceCell]

  public init(cells: [EntropyTraceCell]) { self.cells = cells }

  /// One row per cell: `layer, hook, <group>, rows, entropy_bits, entropy_std_bits, seeds,
  /// max_abs_correlation, pairwise_mi_bits, fvu, distinct_bits`, then `extra` columns.
  public func table(groupColumn: String, extra: [(name: String, value: (EntropyTraceCell) -> String)] = [])
    -> CSVTable
  {
    var table = CSVTable(
      columns: [
        "layer", "hook", groupColumn, "rows", "entropy_bits", "entropy_std_bits", "seeds", "max_abs_correlation",
        "pairwise_mi_bits", "fvu", "distinct_bits",
      ] + extra.map(\.name))
    for c in cells {
      table.append(
        [
          "\(c.layer)", c.hook, "\(c.group)", "\(c.rows)", CSVTable.number(c.entropy.meanBits),
          CSVTable.number(c.entropy.stdBits), "\(c.entropy.bits.count)", CSVTable.number(c.entropy.maxAbsCorrelation),
          CSVTable.number(c.entropy.pairwiseMutualInformationBits),
          CSVTable.number(c.entropy.fractionOfVarianceUnexplained), CSVTable.number(c.entropy.distinctBits),
        ] + extra.map { $0.value(c) })
    }
    return table
  }

  /// Entropy against layer, one line per group (`name(group)` names it).
  public func byLayer(title: String, seriesName: (Int) -> String) -> LineChart {
    let groups = Array(Set(cells.map(\.group))).sorted()
    let series = groups.map { g in
      let points = cells.filter { $0.group == g }.sorted { $0.layer < $1.layer }
      return Series(
        name: seriesName(g), x: points.map { Double($0.layer) }, y: points.map(\.entropy.meanBits), markers: true)
    }
    return LineChart(
      title: title, xAxis: Axis("layer"), yAxis: Axis("estimated entropy", unit: "bits"), series: series)
  }

  /// Entropy against group (positions), one line per layer.
  public func byGroup(title: String, groupAxis: Axis) -> LineChart {
    let layers = Array(Set(cells.map(\.layer))).sorted()
    let series = layers.map { l in
      let points = cells.filter { $0.layer == l }.sorted { $0.group < $1.group }
      return Series(
        name: "layer \(l)", x: points.map { Double($0.group) }, y: points.map(\.entropy.meanBits), markers: true)
    }
    return LineChart(title: title, xAxis: groupAxis, yAxis: Axis("estimated entropy", unit: "bits"), series: series)
  }
}
