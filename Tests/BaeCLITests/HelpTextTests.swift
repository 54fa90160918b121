import Foundation
import Testing

/// Every command's help: listed in the README's order, and documenting each of its options
/// with its help text.
@Suite struct HelpTextTests {
  static let commands = [
    "inspect", "tokenize", "forward", "extract", "features", "train", "eval", "entropy", "icl", "positions", "encode",
    "compress", "decompress", "export", "import", "convert", "download", "bench", "generate", "serve", "interpret",
    "report",
  ]

  static let model = (
    "--model <path>",
    "Hugging Face model directory, .gguf file, or directory holding one (default: $BAE_MODEL, else models/smollm2-135m-instruct)."
  )
  static let threads = ("--threads <threads>", "Threads for matrix products (default: all cores).")
  static let precision = ("--precision <precision>", "Arithmetic of matrix products: f32 (default; OpenBLAS) or bf16")
  static let text = ("--text <text>", "Text to use (tokenized with the model's own tokenizer).")
  static let file = ("--file <path>", "Read the text from a UTF-8 file.")
  static let ae = ("--ae <dir>", "Autoencoder directory (config.json and weights.safetensors).")
  static let features = ("--features <dir>", "Feature-set directory (repeat to read several as one).")
  static let batchSize = ("--batch-size <batch-size>", "Rows encoded or decoded at a time. (default: 4096)")

  /// For each command, `(option as help shows it, its help text)` for every option it documents.
  static let documented: [String: [(String, String)]] = [
    "inspect": [model, ("--tensors", "List every tensor.")],
    "tokenize": [model, text, file, ("--ids-only", "Print only the comma-separated ids.")],
    "forward": [
      model, threads, precision, text, file, ("--tokens <tokens>", "Comma-separated token ids to run (instead of text)."),
      ("--hooks <hooks>", "Hooks to record. (default: resid_post:all)"), ("--out <out>", "Output directory."),
    ],
    "extract": [
      model, threads, precision, ("--corpus <path>", "Files, directories or globs"), ("--hooks <hooks>", "Hooks:"),
      ("--max-tokens <max-tokens>", "Stop after"), ("--out <out>", "Output directory."),
      ("--resume", "Continue the run"), ("--repair", "With --resume: remove the first damaged shard"),
      ("--max-record-size <size>", "Longest record"),
      ("--shard <I/N>", "Extract part I of N (0-based) into OUT/part-IIIII/;"),
      ("--shard-count <N>", "Number of parts when the part index comes from JOB_COMPLETION_INDEX"),
    ],
    "features": [
      ("info", "Summarise a feature set's manifest."),
      ("merge", "Merge the parts of a sharded extraction (OUT/part-IIIII/) into one feature set"),
      ("compare", "Check that two feature sets hold the same rows"),
    ],
    "entropy": [
      ("--ae <dir>", "A trained BAE directory."),
      ("--synthetic <synthetic>", "Known-answer check: R independent bits."),
      ("--fit-normalize <fit-normalize>", "Input scaling of a fit: centered (default)"),
      ("--json", "Print the result as one JSON object."),
    ],
    "icl": [
      model, threads, ("--task <task>", "Task name (sst2, rotten_tomatoes, …) or path to a task .jsonl."),
      ("--estimator <estimator>", "per-set (default), pooled or given."), ("--seeds <seeds>", "BAEs fitted per set"),
    ],
    "positions": [model, threads, ("--seeds <seeds>", "BAEs fitted per set")],
    "train": [
      ("--features <dir>", "Feature-set directories written by bae extract"), ("--hook <hook>", "Hooks to train on:"),
      ("--arch <arch>", "Architecture: bae, relu, topk, batchtopk, jumprelu or transcoder."),
      ("--binarization <binarization>", "BAE gradient estimator:"),
      ("--entropy-weight <entropy-weight>", "BAE entropy weight"),
      ("--covariance-weight <covariance-weight>", "BAE covariance weight"),
      ("--l1-weight <l1-weight>", "ReLU/transcoder L1 weight"),
      ("--topk <topk>", "TopK / BatchTopK:"), ("--config <config>", "JSON file"), ("--out <out>", "Output directory."),
      ("--resume", "Continue the run"), ("--json", "Print the result as one JSON object."),
    ],
    "eval": [
      ("<dir>", "Autoencoder directory (config.json and weights.safetensors)."), features,
      ("--rows <rows>", "Evaluate only the first N rows of the feature set."), model, threads,
      ("--corpus <path>", "Files, directories or globs"), ("--max-tokens <max-tokens>", "Stop after"),
      ("--skip-first <skip-first>", "Positions dropped at the start of each window"),
      ("--hook <hook>", "Hook the autoencoder reads (default: the one in its config.json)."),
      (
        "--dense-threshold <dense-threshold>",
        "Firing rate above which a code is dense (default: 0.1 for an SAE, 0.5 for a BAE)."
      ),
      ("--out <dir>", "Write eval.json, firing-rates.svg and firing-rates.csv here."),
      ("--json", "Print the result as one JSON object."),
    ],
    "convert": [
      model, ("--to <to>", "Output directory."),
      ("--dtype <dtype>", "Stored precision: f32, bf16 or f16. (default: f32)"),
    ],
    "download": [
      ("<org/name>", "Hub repository id."), ("--revision <revision>", "Branch, tag or commit to download. (default: main)"),
      ("--include <glob>", "Download only files matching this glob (repeatable; e.g. '*.json')."),
      ("--to <dir>", "Also place the files in this directory."), ("--json", "Print the result as one JSON object."),
    ],
    "bench": [
      model, threads, precision, ("--sequence-length <sequence-length>", "Tokens per sequence. (default: 512)"),
      ("--batch <batch>", "Sequences per batch. (default: 1)"),
      ("--iterations <iterations>", "Timed repetitions (the best is reported). (default: 3)"),
      ("--hooks <hooks>", "Hooks to read. (default: resid_post:all)"),
    ],
    "export": [
      ae, ("--to <dir>", "Output folder."),
      ("--hook <hook>", "hook_name to record (default: the autoencoder's input hook)."),
      ("--model-name <model-name>", "model_name to record (default: the autoencoder's model)."),
    ],
    "import": [
      ("--from <dir>", "SAELens folder (cfg.json and sae_weights.safetensors)."),
      ("--to <dir>", "Autoencoder directory to write."),
    ],
    "encode": [
      features, ae, ("--hook <hook>", "Hook to encode (default: the autoencoder's input hook)."),
      ("--out <dir>", "Output directory."),
      ("--shard-rows <shard-rows>", "Rows per shard. (default: 65536)"), threads, batchSize,
    ],
    "compress": [
      features, ae, ("--out <file>", "Output file (.safetensors)."),
      ("--mean-rows <mean-rows>", "Measure the code means on the first this many rows (default: every row)."),
      ("--keep-ties", "Also store the 1 bits of codes whose mean is exactly 0.5"), threads, batchSize,
    ],
    "interpret": [
      model, threads, ("--corpus <path>", "Files, directories or globs"),
      ("--ae <dir>", "Autoencoder directory (config.json and weights.safetensors)."),
      ("--type <type>", "Autoencoder type: bae, relu, topk, batchtopk, jumprelu, transcoder"),
      ("--top-k <top-k>", "Features recorded per token. (default: 10)"),
      ("--samples <samples>", "Texts read from the corpus. (default: 8192)"),
      ("--out <dir>", "Output directory."), ("--records-only", "Stop after writing the records."),
      ("--from-records <dir>", "Explain saved records"),
      ("--judge-url <judge-url>", "Judge: base URL of an OpenAI-compatible server"),
      ("--judge-model <judge-model>", "Judge: model name sent with each request."),
      ("--judge-key-env <judge-key-env>", "Judge: environment variable holding the API key. (default: OPENAI_API_KEY)"),
      ("--judge-concurrency <judge-concurrency>", "Judge: requests in flight at most. (default: 8)"),
      ("--judge-timeout <judge-timeout>", "Judge: seconds before a request gives up."),
      ("--judge-cache <dir>", "Judge: response cache directory (default: OUT/judge-cache)."),
      ("--json", "Print the summary as one JSON object."),
    ],
    "report": [
      ("<dir>", "Run directory of bae interpret"), ("--out <dir>", "Output directory (default: DIR/report)."),
    ],
    "decompress": [
      ("--from <file>", "File written by bae compress."), ae, ("--out <file>", "Output file (.safetensors)."), threads,
    ],
    "generate": [
      model, threads, ("--prompt <prompt>", "The prompt text."),
      ("--chat", "Send the prompt as a user message through the model's chat template."),
      ("--max-tokens <max-tokens>", "Largest number of tokens to generate. (default: 128)"),
      ("--temperature <temperature>", "Sampling temperature; 0 is greedy decoding. (default: 0.0)"),
      ("--top-p <top-p>", "Nucleus sampling"), ("--seed <seed>", "Seed of the sampler. (default: 0)"),
      ("--stop <stop>", "Stop before this text (repeatable)."), ("--json", "Print one JSON object"),
    ],
    "serve": [
      model, threads, ("--host <host>", "Address to bind. (default: 127.0.0.1)"),
      ("--port <port>", "Port to listen on (0 = any free port). (default: 8080)"),
      ("--max-body-bytes <max-body-bytes>", "Largest request body in bytes (larger: 413)."),
      ("--max-tokens <max-tokens>", "Largest max_tokens a request may ask for"),
      ("--context <context>", "Positions per sequence"), ("--batch <batch>", "Requests generated together"),
      ("--queue <queue>", "Requests waiting beyond those generating"),
    ],
  ]

  /// Spellings kept for old invocations that help must not advertise.
  static let hidden: [String: [String]] = [
    "inspect": ["<model>"], "convert": ["<model>"], "forward": ["--prompt-file"], "tokenize": ["--prompt-file"],
    "serve": ["--inject-fault"],
  ]

  /// `text` with every run of whitespace (help wraps long lines) turned into one space.
  static func flattened(_ text: String) -> String {
    text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
  }

  @Test func topLevelHelpListsCommands() throws {
    let result = try runBae(["--help"])
    #expect(result.status == 0)
    let names = result.stdout.split(separator: "\n").compactMap { line -> String? in
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      guard line.hasPrefix("  "), !trimmed.hasPrefix("-"), let word = trimmed.split(separator: " ").first else {
        return nil
      }
      return String(word)
    }
    #expect(names.filter { Self.commands.contains($0) } == Self.commands, "\(result.stdout)")
  }

  @Test(arguments: commands)
  func everyCommandDocumentsItsOptions(command: String) throws {
    let result = try runBae([command, "--help"])
    #expect(result.status == 0)
    #expect(result.stdout.contains("USAGE: bae \(command)"), "\(result.stdout)")
    #expect(result.stdout.contains("OVERVIEW: "), "\(result.stdout)")
    let help = Self.flattened(result.stdout)
    for (option, text) in try #require(Self.documented[command]) {
      #expect(
        help.contains("\(option) \(Self.flattened(text))"),
        "\(command): \(option) should read '\(text)'\n\(result.stdout)")
    }
    for spelling in Self.hidden[command] ?? [] {
      #expect(!help.contains(spelling), "\(command) help shows the hidden \(spelling)")
    }
  }

  @Test(arguments: [["features", "info"], ["features", "verify"], ["features", "merge"], ["features", "compare"]])
  func everySubcommandHasHelp(command: [String]) throws {
    let parent = try runBae([command[0], "--help"])
    #expect(parent.stdout.contains("  \(command[1])"), "\(parent.stdout)")
    let result = try runBae(command + ["--help"])
    #expect(result.status == 0)
    #expect(result.stdout.contains("USAGE: bae \(command.joined(separator: " "))"), "\(result.stdout)")
  }
}
