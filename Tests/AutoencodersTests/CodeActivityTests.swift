import Autoencoders
import Testing

/// The one definition of dead and dense codes, for BAE bits and SAE activations.
@Suite struct CodeActivityTests {
  /// Active rows of six codes over 20 rows: rates 0, 0.05, 0.1, 0.5, 0.55, 1.
  static let active = [0, 1, 2, 10, 11, 20]

  @Test func sparseCodesAreDeadWhenNeverActiveAndDenseAboveATenth() {
    let activity = CodeActivity(binary: false)
    #expect(activity.denseThreshold == 0.1)
    #expect(activity.deadCodes(active: Self.active, rows: 20) == [0])
    #expect(activity.denseCodes(active: Self.active, rows: 20) == [3, 4, 5], "0.1 itself is not above 0.1")
  }

  /// A bit that is 1 on every row is as dead as one that is never 1; the 0.5 default counts
  /// the bits whose 1 state is the majority (and a bit always 1 is also dense).
  @Test func bitsAreDeadWhenConstantAndDenseWhenMostlyOne() {
    let activity = CodeActivity(binary: true)
    #expect(activity.denseThreshold == 0.5)
    #expect(activity.deadCodes(active: Self.active, rows: 20) == [0, 5])
    #expect(activity.denseCodes(active: Self.active, rows: 20) == [4, 5], "exactly half is not dense")
  }

  @Test func theThresholdIsConfigurableAndChecked() throws {
    let activity = CodeActivity(binary: true, denseThreshold: 0.05)
    #expect(activity.denseCodes(active: Self.active, rows: 20) == [2, 3, 4, 5])
    try activity.validate()
    #expect(throws: AutoencoderError.self) { try CodeActivity(binary: false, denseThreshold: 1.5).validate() }
    #expect(CodeActivity(binary: false).denseCodes(active: [0, 0], rows: 0).isEmpty, "no rows, nothing dense")
  }
}
