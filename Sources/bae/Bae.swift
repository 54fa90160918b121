import ArgumentParser

/// The `bae` command-line tool: one subcommand per file under `Commands/`.
@main
struct Bae: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bae",
    abstract: "Run Llama-family models on the CPU, record hidden states, train binary autoencoders.",
    subcommands: [InspectCommand.self, ForwardCommand.self, BenchCommand.self, ConvertCommand.self, TokenizeCommand.self, ExtractCommand.self, FeaturesCommand.self])
}
