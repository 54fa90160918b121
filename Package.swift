// swift-tools-version:6.1
// bae: a native Swift toolkit that runs Llama-family models on the CPU, records
// their hidden states, and trains binary/sparse autoencoders on them.
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]
/// Numeric targets are optimised in debug builds too: the test suite trains real autoencoders,
/// which unoptimised Swift loops would make ~20× slower.
let numeric: [SwiftSetting] = strict + [.unsafeFlags(["-O"])]

let package = Package(
  name: "bae",
  products: [
    .executable(name: "bae", targets: ["bae"]),
    .library(
      name: "BaeKit",
      targets: [
        "TensorCore", "JSONSupport", "Checkpoints", "HookPoints", "Models", "Tokenizers", "Corpora", "FeatureSets",
        "Autoencoders", "Extraction", "Plots", "Studies", "ChatAPI", "Interpret", "Transport", "Hub", "Serve",
        "RunControl", "Digests",
      ]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    // Tests only: the controllable HTTP server the judge client and `bae download` are tested against.
    .package(url: "https://github.com/apple/swift-nio", from: "2.0.0"),
    // Without its default traits: `bae serve` needs neither swift-configuration nor the full
    // Foundation helpers, and leaving them out saves their build.
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0", traits: []),
    // Already in Hummingbird's graph; named so `Serve` can give the server a quiet logger.
    .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
  ],
  targets: [
    // C libraries from Debian (see README: `make setup` installs them).
    .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
    /// oneDNN (Debian's build has no pkg-config file; the headers sit in the default include path).
    .systemLibrary(name: "CDNNL", providers: [.apt(["libdnnl-dev"])]),
    .systemLibrary(name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
    .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
    .systemLibrary(name: "CLibCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
    .target(
      name: "CSentencePiece",
      cxxSettings: [.unsafeFlags(["-std=c++17"])],
      linkerSettings: [.linkedLibrary("sentencepiece"), .linkedLibrary("stdc++")]),

    /// `-fno-math-errno`: `sqrtf` never sets errno, so loops that take square roots vectorise.
    .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3", "-fno-math-errno"])]),

    // Libraries.
    .target(name: "TensorCore", dependencies: ["CBLAS", "CDNNL", "CKernels"], swiftSettings: numeric),
    .target(name: "Checkpoints", dependencies: ["TensorCore", "JSONSupport"], swiftSettings: strict),
    .target(name: "HookPoints", dependencies: ["JSONSupport"], swiftSettings: strict),
    .target(
      name: "Models", dependencies: ["TensorCore", "Checkpoints", "HookPoints", "Tokenizers", "JSONSupport"],
      swiftSettings: strict),
    .target(name: "JSONSupport", swiftSettings: strict),
    .target(name: "Plots", swiftSettings: strict),
    /// The one HTTP layer: libcurl behind `HTTPClient` (blocking calls on their own threads).
    .target(name: "Transport", dependencies: ["CCurl", "RunControl"], swiftSettings: strict),
    /// SHA-256 and SHA-1 over OpenSSL's libcrypto: the one home of hashing.
    .target(name: "Digests", dependencies: ["CLibCrypto"], swiftSettings: strict),
    /// The one stop request (`Cancellation`) long work checks between units of work.
    .target(name: "RunControl", swiftSettings: strict),
    /// The Hugging Face Hub: file listings, resumable verified downloads into the shared Hub cache.
    .target(
      name: "Hub",
      dependencies: ["Transport", "Checkpoints", "Digests"],
      swiftSettings: strict),
    /// The OpenAI-compatible chat API's bodies, shared by the judge client and `bae serve`.
    .target(name: "ChatAPI", swiftSettings: strict),
    .target(name: "Tokenizers", dependencies: ["Checkpoints", "CSentencePiece", "JSONSupport"], swiftSettings: strict),
    .target(name: "Corpora", dependencies: ["CArchive", "JSONSupport"], swiftSettings: strict),
    .target(
      name: "FeatureSets",
      dependencies: [
        "TensorCore", "Checkpoints", "HookPoints", "Corpora", "JSONSupport",
        "Digests",
      ],
      swiftSettings: strict),
    .target(
      name: "Autoencoders",
      dependencies: [
        "TensorCore", "CKernels", "Checkpoints", "JSONSupport", "HookPoints", "FeatureSets", "Plots", "RunControl",
      ],
      swiftSettings: numeric),
    .target(
      name: "Extraction",
      dependencies: [
        "TensorCore", "Checkpoints", "HookPoints", "Models", "Tokenizers", "Corpora", "FeatureSets", "RunControl",
      ],
      swiftSettings: strict),
    /// Analyses built on the rest: feature-set entropy, in-context-learning traces, position
    /// bandwidth, autoencoder evaluation (one file per analysis, one `bae` command each).
    .target(
      name: "Studies",
      dependencies: [
        "TensorCore", "JSONSupport", "Checkpoints", "HookPoints", "Models", "Tokenizers", "Corpora", "FeatureSets",
        "Autoencoders", "Extraction", "Plots",
      ],
      swiftSettings: numeric),

    /// Feature interpretation: activation records, ComSem, the judge client, the feature browser.
    .target(
      name: "Interpret",
      dependencies: [
        "ChatAPI", "Transport", "TensorCore", "JSONSupport", "Checkpoints", "HookPoints", "Models", "Tokenizers",
        "Corpora", "FeatureSets", "Autoencoders", "Extraction", "Plots", "Digests",
      ],
      resources: [.copy("Resources")], swiftSettings: strict),

    /// `bae serve`: an OpenAI-compatible HTTP server over the generation engine.
    .target(
      name: "Serve",
      dependencies: [
        "ChatAPI", "TensorCore", "Checkpoints", "Models", "Tokenizers",
        .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict),

    // The command-line tool; the only target that prints.
    .executableTarget(
      name: "bae",
      dependencies: [
        "TensorCore", "JSONSupport", "Checkpoints", "HookPoints", "Models", "Tokenizers", "Corpora", "FeatureSets",
        "Extraction", "Autoencoders", "Plots", "Studies", "ChatAPI", "Interpret", "Transport", "Hub", "Serve",
        "RunControl", .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: strict),

    // Benchmarks (benchmarks/*/README.md).
    .executableTarget(
      name: "autoencoder-bench", dependencies: ["Autoencoders", "TensorCore"],
      path: "benchmarks/train/autoencoder-bench", swiftSettings: strict),
    .executableTarget(
      name: "step-bench", dependencies: ["Autoencoders", "TensorCore"], path: "benchmarks/train/step-bench",
      swiftSettings: strict),

    // Tests.
    .target(
      name: "TestSupport", dependencies: ["TensorCore", "FeatureSets", "HookPoints", "Corpora"],
      path: "Tests/TestSupport", swiftSettings: strict),
    .target(
      name: "HTTPTestServer",
      dependencies: [.product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio")],
      path: "Tests/HTTPTestServer", swiftSettings: strict),
    .testTarget(name: "TransportTests", dependencies: ["Transport", "HTTPTestServer"], swiftSettings: strict),
    .testTarget(name: "DigestsTests", dependencies: ["Digests"], swiftSettings: strict),
    .testTarget(
      name: "JudgeClientTests", dependencies: ["Interpret", "ChatAPI", "Transport", "HTTPTestServer", "TestSupport"],
      swiftSettings: strict),
    .testTarget(
      name: "HubTests", dependencies: ["Hub", "Transport", "Checkpoints", "HTTPTestServer", "TestSupport",
        "Digests"],
      swiftSettings: strict),
    .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "TestSupport"], swiftSettings: strict),
    .testTarget(name: "JSONSupportTests", dependencies: ["JSONSupport"], swiftSettings: strict),
    .testTarget(name: "PlotsTests", dependencies: ["Plots", "TestSupport"], swiftSettings: strict),
    .testTarget(
      name: "CheckpointsTests", dependencies: ["Checkpoints", "TestSupport"],
      resources: [.copy("Resources")], swiftSettings: strict),
    .testTarget(
      name: "ModelsTests", dependencies: ["Models", "HookPoints", "Checkpoints", "TensorCore", "TestSupport"],
      resources: [.copy("Resources")], swiftSettings: strict),
    .testTarget(
      name: "GenerationTests", dependencies: ["Models", "Tokenizers", "Checkpoints", "TensorCore", "TestSupport"],
      resources: [.copy("Resources")], swiftSettings: strict),
    .testTarget(
      name: "ServeTests",
      dependencies: [
        "Serve", "ChatAPI", "Models", "Tokenizers", "TestSupport",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdTesting", package: "hummingbird"),
      ],
      swiftSettings: strict),
    .testTarget(
      name: "TokenizersTests", dependencies: ["Tokenizers", "TestSupport"],
      resources: [.copy("Resources")], swiftSettings: strict),
    .testTarget(
      name: "CorporaTests", dependencies: ["Corpora", "TestSupport"],
      resources: [.copy("Resources")], swiftSettings: strict),
    .testTarget(
      name: "FeatureSetsTests", dependencies: ["FeatureSets", "HookPoints", "Corpora", "Checkpoints", "TensorCore", "TestSupport"],
      swiftSettings: strict),
    .testTarget(
      name: "ExtractionTests",
      dependencies: [
        "Extraction", "FeatureSets", "HookPoints", "Models", "Tokenizers", "Corpora", "Checkpoints", "TensorCore", "TestSupport",
        "RunControl",
      ],
      swiftSettings: strict),
    .testTarget(
      name: "AutoencodersTests",
      dependencies: [
        "Autoencoders", "TensorCore", "Checkpoints", "FeatureSets", "HookPoints", "JSONSupport", "TestSupport",
      ],
      resources: [.copy("Resources")], swiftSettings: strict),
    .testTarget(
      name: "StudiesTests",
      dependencies: [
        "Studies", "Autoencoders", "Models", "Tokenizers", "Extraction", "FeatureSets", "HookPoints", "Checkpoints",
        "TensorCore", "JSONSupport", "Plots", "Corpora", "TestSupport",
      ],
      swiftSettings: strict),
    .testTarget(
      name: "InterpretTests",
      dependencies: [
        "Interpret", "ChatAPI", "Autoencoders", "Models", "Tokenizers", "Corpora", "HookPoints", "TensorCore",
        "Checkpoints", "Serve", "TestSupport",
      ],
      swiftSettings: strict),
    .testTarget(
      name: "BaeCLITests",
      dependencies: [
        "bae", "Autoencoders", "Checkpoints", "FeatureSets", "HookPoints", "TensorCore", "Interpret", "ChatAPI",
        "TestSupport", "HTTPTestServer",
      ],
      swiftSettings: strict),

    // libFuzzer harnesses (Tests/Fuzz/README.md; `scripts/fuzz.sh` builds them with
    // `-sanitize=fuzzer,address -D BAE_FUZZING`). A plain build makes a replayer of saved inputs.
    .systemLibrary(name: "CLibFuzzer", path: "Tests/Fuzz/CLibFuzzer"),
    .executableTarget(
      name: "bae-fuzz",
      dependencies: [
        "CLibFuzzer", "Checkpoints", "Models", "Tokenizers", "Corpora", "FeatureSets", "HookPoints", "Digests",
      ],
      path: "Tests/Fuzz/Sources", swiftSettings: strict),

    // Benchmarks (run by hand; see benchmarks/<topic>/README.md).
    .executableTarget(
      name: "gemm-bench", dependencies: ["TensorCore"], path: "benchmarks/gemm/Sources", swiftSettings: numeric),
    .executableTarget(
      name: "TokenizeBenchmark", dependencies: ["Tokenizers"], path: "benchmarks/tokenize/Sources", swiftSettings: strict),
  ]
)
