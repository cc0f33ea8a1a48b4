import ArgumentParser
import Foundation
import SafeKey
import Support

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

    @Option(help: "Model folder or .gguf file (only its tokenizer and chat template are read).") var model: String
    @OptionGroup var records: RecordInputOptions
    @Flag(help: "Also print the reference implementation's K span.") var referenceSpans = false

    func run() throws {
        let loaded = try records.load(tokenizerOf: model, referenceSpans: referenceSpans)
        for e in loaded.examples {
            // Keys in alphabetical order, as the encoding has always been written.
            var o: JSONObject = ["input_ids": .ints(e.inputIds), "key_mask": .ints(e.keyMask), "labels": .ints(e.labels),
                                 "query_mask": .ints(e.queryMask)]
            if let r = e.referenceKeySpan { o["reference_key_span"] = JSONValue.ints([r.0, r.1]) }
            o["understanding_span"] = JSONValue.ints([e.promptLength, e.keyStart])
            o["unsafe"] = JSONValue.int(e.unsafe ? 1 : 0)
            try Console.out(jsonLine(o) + "\n")
        }
    }
}
