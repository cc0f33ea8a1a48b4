import ArgumentParser
import Foundation
import Models
import SafeKey
import Support

/// `safekey analyze attention|probe|kl` — the paper's analyses (SafeKey §5) on any model folder
/// and SafeKey records (README "Analysis").
struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "The paper's analyses: K's attention to U vs the prompt, probe separability per layer, prefill KL.",
        subcommands: [AnalyzeAttentionCommand.self, AnalyzeProbeCommand.self, AnalyzeKLCommand.self]
    )
}

/// Options every analysis shares: the model, the records, how to load them, where to write.
struct AnalysisOptions: ParsableArguments {
    @OptionGroup var modelInput: ModelInputOptions
    @OptionGroup var recordInput: RecordInputOptions
    @Option(help: "Weight storage: f32, or bf16 (half the memory; not bit-equal to f32).") var weights: WeightStorage = .f32
    @Option(help: "Write the JSON lines to this file (atomically) instead of standard output.") var output: String?

    func validate() throws {
        if let output {
            try OutputGuard.refuseOverwritingInputs(output: ("--output", output), inputs: [("--data", recordInput.data)] + modelInput.inputPaths)
        }
    }

    /// The records encoded with the model's tokenizer and template. With `needSpans`, only those
    /// with U and K (`auxiliary`); the others are counted on stderr.
    func records(needSpans: Bool) throws -> [AnalysisRecord] {
        let loaded = try recordInput.load(tokenizerOf: modelInput.model, withoutSpans: needSpans ? "are left out" : "are used (no spans needed)")
        let all = zip(loaded.ids, loaded.examples).map { AnalysisRecord(id: $0, example: $1) }
        guard needSpans else { return all }
        let kept = all.filter(\.example.auxiliary)
        let maxSeqLen = recordInput.maxSeqLen
        if kept.count < all.count {
            printErr("analyze: \(all.count - kept.count) of \(all.count) records left out: they have no U/K offsets, U is empty, or K does not fit --max-seq-len \(maxSeqLen)")
        }
        guard !kept.isEmpty else {
            throw AnalysisError.noUsableRecords(path: recordInput.data, detail: "none has U and K (summary_end_idx, next_sentence_end_idx; `safekey annotate` adds them) within --max-seq-len \(maxSeqLen)")
        }
        return kept
    }

    /// `--model` (with `--adapter`), or another model folder with its own adapter (`analyze kl --reference`).
    func loadModel(folder: String? = nil, adapter: String? = nil) throws -> DecoderModel {
        guard let folder else { return try modelInput.load(weights: weights) }
        return try DecoderModel(folder: folder, weightStorage: weights, adapter: adapter, allowNonFinite: modelInput.allowNonfinite)
    }

    /// Writes `lines` (each one JSON value) to --output atomically, or to standard output.
    func emit(_ lines: [JSONValue]) throws {
        let text = lines.map { JSONWriter.compact($0) + "\n" }.joined()
        if let output {
            try AtomicFile.write(text, to: output)
            printErr("analyze: wrote \(lines.count) lines to \(output)")
        } else {
            try Console.out(text)
        }
    }
}
