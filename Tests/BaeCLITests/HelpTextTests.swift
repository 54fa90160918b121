import Foundation
import Testing

/// The top-level help lists every command in the order the README introduces them.
@Suite struct HelpTextTests {
  @Test func topLevelHelpListsCommands() throws {
    let result = try runBae(["--help"])
    #expect(result.status == 0)
    let names = result.stdout.split(separator: "\n").compactMap { line -> String? in
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      guard line.hasPrefix("  "), !trimmed.hasPrefix("-"), let word = trimmed.split(separator: " ").first else { return nil }
      return String(word)
    }
    #expect(
      names.filter { ["inspect", "tokenize", "forward", "extract", "features", "convert", "bench"].contains($0) }
        == ["inspect", "tokenize", "forward", "extract", "features", "convert", "bench"], "\(result.stdout)")
  }

  @Test(arguments: ["inspect", "tokenize", "forward", "extract", "features", "convert", "bench"])
  func everyCommandHasHelp(command: String) throws {
    let result = try runBae([command, "--help"])
    #expect(result.status == 0)
    #expect(result.stdout.contains("USAGE: bae \(command)"), "\(result.stdout)")
  }

  @Test(arguments: [["features", "info"], ["features", "verify"]])
  func everySubcommandHasHelp(command: [String]) throws {
    let parent = try runBae([command[0], "--help"])
    #expect(parent.stdout.contains("  \(command[1])"), "\(parent.stdout)")
    let result = try runBae(command + ["--help"])
    #expect(result.status == 0)
    #expect(result.stdout.contains("USAGE: bae \(command.joined(separator: " "))"), "\(result.stdout)")
  }
}
