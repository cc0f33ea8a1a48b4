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
    @Option(help: "Model folder (config.json, safetensors, tokenizer.json with a chat template).") var model: String
    @Option(help: "SafeKey records (JSON array or JSONL, as `safekey encode` reads them).") var data: String
    @Option(help: "PEFT LoRA adapter folder applied on top of --model.") var adapter: String?
    @Option(help: "Weight storage: f32, or bf16 (half the memory; not bit-equal to f32).") var weights: WeightStorage = .f32
    @Option(help: "Cut longer sequences on the right (records whose K no longer fits are left out).") var maxSeqLen = 8192
    @Option(help: "Write the JSON lines to this file (atomically) instead of standard output.") var output: String?
    @Flag(help: "Load weights that hold NaN or infinity (refused by default).") var allowNonfinite = false

    func validate() throws {
        try OptionRange.atLeast("--max-seq-len", maxSeqLen, 1)
        if let output {
            try OutputGuard.refuseOverwritingInputs(output: ("--output", output), inputs: [("--data", data), ("--model", model)]
                                                    + (adapter.map { [("--adapter", $0)] } ?? []), folder: false)
        }
    }

    /// The records encoded with the model's tokenizer and template. With `needSpans`, only those
    /// with U and K (`auxiliary`); the others are counted on stderr.
    func records(needSpans: Bool) throws -> [AnalysisRecord] {
        let loaded = try TrainingInputs.load(model: model, data: data, maxSeqLen: maxSeqLen, strict: false,
                                             withoutSpans: needSpans ? "are left out" : "are used (no spans needed)")
        let all = zip(loaded.ids, loaded.examples).map { AnalysisRecord(id: $0, example: $1) }
        guard needSpans else { return all }
        let kept = all.filter(\.example.auxiliary)
        if kept.count < all.count {
            printErr("analyze: \(all.count - kept.count) of \(all.count) records left out: they have no U/K offsets, U is empty, or K does not fit --max-seq-len \(maxSeqLen)")
        }
        guard !kept.isEmpty else {
            throw AnalysisError.noUsableRecords(path: data, detail: "none has U and K (summary_end_idx, next_sentence_end_idx; `safekey annotate` adds them) within --max-seq-len \(maxSeqLen)")
        }
        return kept
    }

    func loadModel(folder: String? = nil, adapter: String? = nil) throws -> DecoderModel {
        try DecoderModel(folder: folder ?? model, weightStorage: weights, adapter: folder == nil ? self.adapter : adapter,
                         allowNonFinite: allowNonfinite)
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

/// A JSON number, or null for NaN/infinity (e.g. an AUC with one class in the held-out scores).
func jsonNumber(_ v: Double) -> JSONValue { v.isFinite ? .double(v) : .null }

/// `{"mean", "low", "high", "n"}` of a ``MeanInterval``.
func jsonInterval(_ m: MeanInterval) -> JSONValue {
    ["mean": jsonNumber(m.mean), "low": jsonNumber(m.low), "high": jsonNumber(m.high), "n": .int(m.count)]
}

/// Runs `body`, printing any error on stderr and exiting 1 (the commands' shared error path).
func runReportingErrors(_ body: () throws -> Void) throws {
    do { try body() } catch let e as ExitCode { throw e } catch {
        printErr("error: \(error)")
        throw ExitCode(1)
    }
}
