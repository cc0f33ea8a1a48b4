// swift-tools-version:6.0
// SafeKey — native Swift toolkit for SafeKey safety fine-tuning of reasoning models.
// Layers (see shared/ARCHITECTURE.md): safekey CLI → SafeKey → Models → (Tensor → CBLAS, Tokenizers).
import PackageDescription

/// All targets compile in the Swift 5 language mode: the kernels pass raw buffer pointers into
/// `DispatchQueue.concurrentPerform`, which Swift 6's strict-concurrency checking rejects without
/// wrappers that add nothing. Toolchain is Swift 6.x.
let lang: [SwiftSetting] = [.swiftLanguageMode(.v5)]

let package = Package(
    name: "SafeKey",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "safekey", targets: ["safekey"]),
        .library(name: "Tensor", targets: ["Tensor"]),
        .library(name: "Tokenizers", targets: ["Tokenizers"]),
        .library(name: "Models", targets: ["Models"]),
        .library(name: "SafeKey", targets: ["SafeKey"]),
        .library(name: "SafetyEval", targets: ["SafetyEval"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        // OpenBLAS on Linux (apt: libopenblas-dev); Accelerate is used instead on Apple platforms.
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(
            name: "Tensor",
            dependencies: [.target(name: "CBLAS", condition: .when(platforms: [.linux]))],
            swiftSettings: lang
        ),
        .target(name: "Tokenizers", swiftSettings: lang),
        .target(name: "Models", dependencies: ["Tensor", "Tokenizers"], swiftSettings: lang),
        .target(name: "SafeKey", dependencies: ["Models", "Tensor", "Tokenizers"], swiftSettings: lang),
        .target(name: "SafetyEval", dependencies: ["SafeKey", "Models", "Tensor", "Tokenizers"], swiftSettings: lang),
        .target(name: "SafetyWorld", dependencies: ["SafetyEval", "SafeKey", "Models", "Tensor", "Tokenizers"],
                swiftSettings: lang),
        // The OpenAI-compatible HTTP server (issue 18): Swift 6 language mode, since it is async
        // code whose isolation the compiler should check; the model is owned by one scheduler thread.
        .target(name: "Serve", dependencies: [
                    "SafetyEval", "Models", "Tensor", "Tokenizers",
                    .product(name: "Hummingbird", package: "hummingbird"),
                ],
                swiftSettings: [.swiftLanguageMode(.v6)]),
        .executableTarget(
            name: "safekey",
            dependencies: [
                "Tensor", "Tokenizers", "Models", "SafeKey", "SafetyEval", "SafetyWorld", "Serve",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: lang
        ),
        .testTarget(name: "TensorTests", dependencies: ["Tensor"], swiftSettings: lang),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers"], swiftSettings: lang),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "Tensor", "Tokenizers"], swiftSettings: lang),
        .testTarget(name: "SafeKeyTests", dependencies: ["SafeKey", "Models", "Tensor", "Tokenizers"], swiftSettings: lang),
        .testTarget(name: "SafetyEvalTests", dependencies: ["SafetyEval", "SafeKey", "Models", "Tokenizers"], swiftSettings: lang),
        .testTarget(name: "ServeTests", dependencies: ["Serve", "SafetyEval", "Models", "Tokenizers"],
                    swiftSettings: [.swiftLanguageMode(.v6)]),
        .testTarget(name: "SafetyWorldTests", dependencies: ["SafetyWorld", "SafetyEval", "SafeKey", "Models", "Tokenizers", "Tensor"],
                    swiftSettings: lang),
    ]
)
