import ArgumentParser

/// The `bae` command-line tool: one subcommand per file under `Commands/`.
@main
struct Bae: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bae",
    abstract: "Run Llama-family models on the CPU and record their hidden states for autoencoder research.",
    subcommands: [
      InspectCommand.self, TokenizeCommand.self, ForwardCommand.self, ExtractCommand.self, FeaturesCommand.self,
      TrainCommand.self, EvalCommand.self, EntropyCommand.self, ICLCommand.self, PositionsCommand.self,
      EncodeCommand.self, CompressCommand.self, DecompressCommand.self, ExportCommand.self, ImportCommand.self,
      ConvertCommand.self, DownloadCommand.self, BenchCommand.self, GenerateCommand.self, ServeCommand.self,
      InterpretCommand.self, ReportCommand.self,
    ])

  static func main() {
    BLASRestart.restartIfKernelsAreTooOld()
    main(nil)
  }
}
