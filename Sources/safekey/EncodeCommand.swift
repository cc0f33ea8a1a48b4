import ArgumentParser
import Foundation
import SafeKey

/// `safekey encode --model DIR --data FILE [--max-seq-len N] [--reference-spans]`: the training
/// encoding of every kept record as JSONL on stdout (issue 5, item 3).
struct EncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Encode SafeKey records with a model's tokenizer and chat template (JSONL on stdout).",
        discussion: """
        Each line: {"input_ids", "labels", "key_mask", "query_mask", "understanding_span": [u_start, k_start], "unsafe"}.
        With --reference-spans also "reference_key_span": [start, end], the reference implementation's token
        arithmetic (start = prompt_len - 1 + len(U ids)), which is one token late on R1 templates.
        Example: safekey encode --model Assets/world-base --data records.jsonl --max-seq-len 512
        """)

    @Option(help: "Model folder (only the tokenizer files are needed).") var model: String
    @Option(help: "SafeKey records (JSON array or JSONL).") var data: String
    @Option(help: "Cut longer sequences on the right.") var maxSeqLen = 8192
    @Flag(help: "Also print the reference implementation's K span.") var referenceSpans = false
    @Flag(help: "Fail on the first bad record instead of skipping it.") var strict = false

    func validate() throws { try OptionRange.atLeast("--max-seq-len", maxSeqLen, 1) }

    func run() throws {
        do {
            let loaded = try TrainingInputs.load(model: model, data: data, maxSeqLen: maxSeqLen, strict: strict,
                                                 referenceSpans: referenceSpans)
            for e in loaded.examples {
                var o: [String: Any] = ["input_ids": e.inputIds, "labels": e.labels, "key_mask": e.keyMask,
                                        "query_mask": e.queryMask, "understanding_span": [e.promptLength, e.keyStart],
                                        "unsafe": e.unsafe ? 1 : 0]
                if let r = e.referenceKeySpan { o["reference_key_span"] = [r.0, r.1] }
                try Console.out(jsonLine(o) + "\n")
            }
        } catch {
            printErr("error: \(error)")
            throw ExitCode(1)
        }
    }
}
