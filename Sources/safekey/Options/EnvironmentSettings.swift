import Foundation
import Tensor

/// The `SAFEKEY_*` environment variables that choose kernels and thread counts, checked once before
/// a command runs: the libraries read them lazily and fall back to their defaults on a value they do
/// not know, so without this check a typo (`SAFEKEY_BF16_MATMUL=bf61`, `SAFEKEY_THREADS=two`) would
/// silently run something the user did not ask for.
enum EnvironmentSettings {
    /// Each variable with the values it accepts, described for the message.
    static let rules: [(name: String, accepts: @Sendable (String) -> Bool, expected: String)] = [
        ("SAFEKEY_THREADS", { Int($0).map { $0 > 0 } ?? false }, "a positive whole number of threads"),
        ("SAFEKEY_ATTENTION_KERNEL", { AttentionKernel(rawValue: $0) != nil }, "avx512, tile or blas"),
        ("SAFEKEY_BF16_MATMUL", { BaseMatmul(rawValue: $0) != nil }, "bf16 or f32"),
        ("SAFEKEY_MEMORY_CHECK", { ["off", "on"].contains($0) }, "off (or on, the default)"),
    ]

    /// Throws a ``CLIError`` naming the first variable in `environment` whose value is not one it
    /// accepts (empty values count as unset).
    static func validate(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        for rule in rules {
            guard let value = environment[rule.name], !value.isEmpty, !rule.accepts(value) else { continue }
            throw CLIError("\(rule.name)=\(value) is not a value it takes: expected \(rule.expected); fix or unset it")
        }
    }
}
