// swift-tools-version:6.0
// SafeKey — native Swift toolkit for SafeKey safety fine-tuning of reasoning models.
// Targets and what each may import: docs/ARCHITECTURE.md. In short:
//   safekey (CLI) → SafetyWorld → SafetyEval → ChatAPI → Support; safekey → Serve → SafetyEval, Models
//   safekey → SafeKey → Models → (Tensor → CBLAS + CBF16 + CTile, Tokenizers → Support); SafeKey → Collectives → Tensor
// TestSupport is a library for the test targets only (repo paths, the CLI, the stub HTTP server).
import PackageDescription

/// Targets compile in Swift 6 language mode with strict concurrency (`lang6`) except `Tensor`
/// (`lang5`), whose kernels pass raw buffer pointers to the worker pool (strict concurrency would
/// need wrappers that add nothing).
let lang5: [SwiftSetting] = [.swiftLanguageMode(.v5)]
let lang6: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "SafeKey",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "safekey", targets: ["safekey"]),
        .library(name: "Support", targets: ["Support"]),
        .library(name: "ChatAPI", targets: ["ChatAPI"]),
        .library(name: "Tensor", targets: ["Tensor"]),
        .library(name: "Tokenizers", targets: ["Tokenizers"]),
        .library(name: "Models", targets: ["Models"]),
        .library(name: "Collectives", targets: ["Collectives"]),
        .library(name: "SafeKey", targets: ["SafeKey"]),
        .library(name: "SafetyEval", targets: ["SafetyEval"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
    ],
    // Every module a test target imports is listed in its dependencies, not reached through another
    // target's: an undeclared one is built in time only by chance (a clean build failed on it once).
    targets: [
        // OpenBLAS on Linux (apt: libopenblas-dev); Accelerate is used instead on Apple platforms.
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(name: "Support", swiftSettings: lang6),
        .target(name: "ChatAPI", dependencies: ["Support"], swiftSettings: lang6),
        // zlib for gzip-compressed benchmark files (apt: zlib1g-dev).
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // BF16 × BF16 → F32 kernels (AVX512-BF16 with run-time detection, and a portable loop):
        // plain C, each AVX512 function compiled for its target by an attribute, so no flags.
        .target(name: "CBF16"),
        // Attention's f32 tile products on AVX-512 (run-time detection; the portable kernel is Swift's).
        .target(name: "CTile"),
        .target(
            name: "Tensor",
            dependencies: ["CBF16", "CTile", .target(name: "CBLAS", condition: .when(platforms: [.linux]))],
            swiftSettings: lang5
        ),
        .target(name: "Tokenizers", dependencies: ["Support"], swiftSettings: lang6),
        .target(name: "Models", dependencies: ["Support", "Tensor", "Tokenizers"], swiftSettings: lang6),
        // Data parallelism (issue 19): the Collective seam (ARCHITECTURE.md calls the layer Distributed;
        // that name is taken by Swift's own distributed-actors module); Open MPI is loaded at run time (dlopen),
        // so nothing here links libmpi and a single-process run needs no MPI installed.
        .target(name: "Collectives", dependencies: ["Tensor"], swiftSettings: lang6),
        .target(name: "SafeKey", dependencies: ["Support", "ChatAPI", "Models", "Tensor", "Tokenizers", "Collectives"], swiftSettings: lang6),
        .target(name: "SafetyEval", dependencies: ["Support", "ChatAPI", "Models", "Tokenizers", "CZlib"], swiftSettings: lang6),
        .target(name: "SafetyWorld", dependencies: ["Support", "SafetyEval", "SafeKey", "Models", "Tensor", "Tokenizers"],
                swiftSettings: lang6),
        // The OpenAI-compatible HTTP server (issue 18): Swift 6 language mode, since it is async
        // code whose isolation the compiler should check; the model is owned by one scheduler thread.
        .target(name: "Serve", dependencies: [
                    "Support", "SafetyEval", "Models", "Tensor", "Tokenizers",
                    .product(name: "Hummingbird", package: "hummingbird"),
                    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                    .product(name: "Logging", package: "swift-log"),
                ],
                swiftSettings: lang6),
        .executableTarget(
            name: "safekey",
            dependencies: [
                "Support", "ChatAPI", "Tensor", "Tokenizers", "Models", "Collectives", "SafeKey", "SafetyEval", "SafetyWorld", "Serve",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: lang6
        ),
        // Test-only helpers shared by the test targets (never linked into the tool).
        .target(name: "TestSupport", dependencies: ["Support"], path: "Tests/TestSupport", swiftSettings: lang6),
        .testTarget(name: "SupportTests", dependencies: ["Support", "TestSupport"], swiftSettings: lang6),
        .testTarget(name: "ChatAPITests", dependencies: ["ChatAPI", "Support", "TestSupport"], swiftSettings: lang6),
        .testTarget(name: "TensorTests", dependencies: ["Tensor", "TestSupport"], swiftSettings: lang6),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers", "Support", "TestSupport"], swiftSettings: lang6),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "Tensor", "Tokenizers", "TestSupport"], swiftSettings: lang6),
        .testTarget(name: "SafeKeyTests", dependencies: ["SafeKey", "ChatAPI", "Models", "Tensor", "Tokenizers", "Collectives", "Support", "TestSupport"],
                    swiftSettings: lang6),
        .testTarget(name: "SafetyEvalTests", dependencies: ["SafetyEval", "ChatAPI", "Models", "Tokenizers", "SafeKey", "Support", "TestSupport"],
                    swiftSettings: lang6),
        .testTarget(name: "SafetyWorldTests", dependencies: ["SafetyWorld", "SafetyEval", "SafeKey", "Tokenizers", "Support", "TestSupport"],
                    swiftSettings: lang6),
        .testTarget(name: "ServeTests", dependencies: ["Serve", "SafetyEval", "Models", "Tensor", "Tokenizers", "TestSupport"],
                    swiftSettings: lang6),
    ]
)
