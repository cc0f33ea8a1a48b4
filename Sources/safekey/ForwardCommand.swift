import ArgumentParser
import Foundation
import Models

/// `safekey forward --model DIR|FILE.gguf --ids 3,17,250 [--mask-prefix N]` — one forward pass of a
/// Hugging Face model folder or GGUF file, printed as `{"logits": [[…]], "hidden": [[…]]}` (one row per position,
/// `hidden` after the final norm). `--mask-prefix N` hides positions `0..<N` as attention keys from
/// every query (SafeKey's query-masked pass); rows `< N` are then unspecified but finite.
struct ForwardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forward",
        abstract: "Run one forward pass and print logits and final hidden states as JSON."
    )

    @OptionGroup var modelInput: ModelInputOptions
    @Option(help: "Comma-separated token ids, e.g. 3,17,250.") var ids: String
    @Option(name: .customLong("mask-prefix"), help: "Hide key positions 0..<N from every query.") var maskPrefix: Int = 0

    func parsedIds() throws -> [Int] {
        let parts = ids.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var out: [Int] = []
        for (i, p) in parts.enumerated() {
            guard let v = Int(p) else { throw ValidationError("--ids: entry \(i + 1) (\"\(p)\") is not an integer; pass e.g. --ids 3,17,250") }
            out.append(v)
        }
        guard !out.isEmpty else { throw ValidationError("--ids: give at least one token id") }
        return out
    }

    func validate() throws {
        let n = try parsedIds().count
        guard maskPrefix >= 0, maskPrefix <= n else {
            throw ValidationError("--mask-prefix \(maskPrefix) must be between 0 and the number of ids (\(n))")
        }
    }

    func run() throws {
        defer { PeakMemory.reportIfRequested() }
        let m = try modelInput.load()
        let text = try m.forwardReport(ids: try parsedIds(), maskPrefix: maskPrefix)
        try Console.out(text + "\n")
    }
}
