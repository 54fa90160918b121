import ArgumentParser
import JSONSupport

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

  /// Parses and runs the command. Every error reaches the terminal through ``printable(_:)``, so
  /// whatever a library put in a message, it is one bounded line without control characters.
  static func main() {
    BLASRestart.restartIfKernelsAreTooOld()
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch {
      exit(withError: printable(error))
    }
  }

  /// `error` as the parser will print it: its own errors, exit codes and usage errors as they
  /// are (their text is the parser's or the CLI's), anything else made safe with
  /// ``UntrustedText`` (cut at 2,000 characters, control characters escaped) and reported as a
  /// one-line failure (exit 1).
  static func printable(_ error: any Error) -> any Error {
    switch error {
    case let error as CommandError: CommandError(UntrustedText.describe(error.description, limit: 2000))
    case let error as ValidationError: ValidationError(UntrustedText.describe(error.message, limit: 2000))
    case is ExitCode, is CleanExit: error
    default:
      // The parser's own errors (unknown flag, bad value) are internal types: keep them.
      String(reflecting: type(of: error)).hasPrefix("ArgumentParser.")
        ? error : CommandError(UntrustedText.describe(String(describing: error), limit: 2000))
    }
  }
}
