import Foundation
import Studies
import Testing

@Suite struct CSVTableTests {
  @Test func quotesOnlyFieldsThatNeedIt() {
    var table = CSVTable(columns: ["layer", "label", "bits"])
    table.append(["3", "a, \"b\"", CSVTable.number(1.5)])
    table.append(["4", "line\nbreak", CSVTable.number(nil)])
    #expect(table.text == "layer,label,bits\n3,\"a, \"\"b\"\"\",1.5\n4,\"line\nbreak\",\n")
  }

  @Test func numbersRoundTrip() {
    for value in [0.1, 1e-7, 123456.789, -2.5, Double.pi] {
      #expect(Double(CSVTable.number(value)) == value)
    }
    #expect(CSVTable.number(.nan) == "nan" && CSVTable.number(-.infinity) == "-inf")
  }
}
