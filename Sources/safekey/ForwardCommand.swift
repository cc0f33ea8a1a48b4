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
    @Option(help: "Comma-separated token ids, e.g. 3,17,250.") var ids: CommaList<Int>
    @Option(name: .customLong("mask-prefix"), help: "Hide key positions 0..<N from every query.") var maskPrefix: Int = 0

    func validate() throws {
        guard maskPrefix >= 0, maskPrefix <= ids.values.count else {
            throw ValidationError("--mask-prefix \(maskPrefix) must be between 0 and the number of ids (\(ids.values.count))")
        }
    }

    func run() throws {
        defer { PeakMemory.reportIfRequested() }
        let m = try modelInput.load()
        let text = try m.forwardReport(ids: ids.values, maskPrefix: maskPrefix)
        try Console.out(text + "\n")
    }
}
