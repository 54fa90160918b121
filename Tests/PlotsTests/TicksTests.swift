import Foundation
import Plots
import Testing

@Suite struct TicksTests {
  @Test func linearTicksStepByOneTwoOrFive() {
    let ticks = Ticks.linear(in: 0...0.87)
    #expect(ticks.map(\.value) == [0, 0.2, 0.4, 0.6, 0.8])
    #expect(ticks.map(\.label) == ["0", "0.2", "0.4", "0.6", "0.8"])
  }

  @Test(arguments: [
    (0.0...100.0, ["0", "20", "40", "60", "80", "100"]),
    (-1.0...1.0, ["-1", "-0.5", "0", "0.5", "1"]),
    (0.0...0.30000000000000004, ["0", "0.1", "0.2", "0.3"]),
    (0.1...0.7, ["0.2", "0.4", "0.6"]),
    (3.0...19.0, ["5", "10", "15"]),
    (0.0...3_000_000.0, ["0", "1e6", "2e6", "3e6"]),
    (0.0...1_200_000.0, ["0", "5e5", "1e6"]),
    (0.0...0.00004, ["0", "1e-5", "2e-5", "3e-5", "4e-5"]),
    (1234.0...1234.5, ["1234", "1234.1", "1234.2", "1234.3", "1234.4", "1234.5"]),
  ])
  func labelsAreShortExactDecimals(range: ClosedRange<Double>, labels: [String]) {
    let ticks = Ticks.linear(in: range)
    #expect(ticks.map(\.label) == labels)
    for tick in ticks {
      #expect(range.contains(tick.value) || abs(tick.value - range.upperBound) < 1e-12)
      #expect(abs(tick.value - Double(tick.label)!) <= 1e-12 * max(1, abs(tick.value)))
    }
    // Steps are 1, 2 or 5 times a power of ten.
    if ticks.count >= 2 {
      let step = ticks[1].value - ticks[0].value
      let mantissa = step / pow(10, floor(log10(step) + 1e-9))
      #expect([1.0, 2.0, 5.0].contains { abs(mantissa - $0) < 1e-6 }, "step \(step)")
    }
  }

  @Test func degenerateRanges() {
    #expect(Ticks.linear(in: 2...2).map(\.value) == [2])
    #expect(Ticks.linear(in: 0...Double.infinity).isEmpty)
  }

  @Test func decadesArePowersOfTen() {
    #expect(Ticks.decades(in: 1e-3...10).map(\.label) == ["0.001", "0.01", "0.1", "1", "10"])
    #expect(Ticks.decades(in: 0.5...2000).map(\.value) == [1, 10, 100, 1000])
    // Every second decade when ten would be too many, aligned so that 1 is a tick.
    #expect(Ticks.decades(in: 1e-9...1).map(\.label) == ["1e-8", "1e-6", "0.0001", "0.01", "1"])
    #expect(Ticks.decades(in: 0...10).isEmpty)
    #expect(Ticks.decades(in: 2...5).isEmpty)
  }
}
