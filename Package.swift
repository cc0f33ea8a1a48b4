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
    ],
    targets: [
        // OpenBLAS on Linux (apt: libopenblas-dev); Accelerate is used instead on Apple platforms.
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // zlib for gzip-compressed benchmark files (apt: zlib1g-dev).
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "Tensor",
            dependencies: [.target(name: "CBLAS", condition: .when(platforms: [.linux]))],
            swiftSettings: lang
        ),
        .target(name: "Tokenizers", swiftSettings: lang),
        .target(name: "Models", dependencies: ["Tensor", "Tokenizers"], swiftSettings: lang),
        .target(name: "SafeKey", dependencies: ["Models", "Tensor", "Tokenizers"], swiftSettings: lang),
        .target(name: "SafetyEval", dependencies: ["SafeKey", "Models", "Tensor", "Tokenizers", "CZlib"], swiftSettings: lang),
        .target(name: "SafetyWorld", dependencies: ["SafetyEval", "SafeKey", "Models", "Tensor", "Tokenizers"],
                swiftSettings: lang),
        .executableTarget(
            name: "safekey",
            dependencies: [
                "Tensor", "Tokenizers", "Models", "SafeKey", "SafetyEval", "SafetyWorld",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: lang
        ),
        .testTarget(name: "TensorTests", dependencies: ["Tensor"], swiftSettings: lang),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers"], swiftSettings: lang),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "Tensor", "Tokenizers"], swiftSettings: lang),
        .testTarget(name: "SafeKeyTests", dependencies: ["SafeKey", "Models", "Tensor", "Tokenizers"], swiftSettings: lang),
        .testTarget(name: "SafetyEvalTests", dependencies: ["SafetyEval", "SafeKey", "Models", "Tokenizers"], swiftSettings: lang),
        .testTarget(name: "SafetyWorldTests", dependencies: ["SafetyWorld", "SafetyEval", "SafeKey", "Models", "Tokenizers", "Tensor"],
                    swiftSettings: lang),
    ]
)
