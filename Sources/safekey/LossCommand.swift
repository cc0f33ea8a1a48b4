import ArgumentParser
import Foundation
import Models
import SafeKey
import Support
import Tensor

/// `safekey loss`: the SafeKey loss terms of each record evaluated alone (issue 5, item 5).
struct LossCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loss",
        abstract: "Print {sft_loss, qmm_loss, head_loss, total} per record (JSONL).",
        discussion: "Example: safekey loss --model Assets/world-base --data records.jsonl --safety-head head.safetensors")

    @OptionGroup var modelInput: ModelInputOptions
    @OptionGroup var records: RecordInputOptions
    @Option(help: "Safety head weights (safetensors: C_head.weight/bias, ctx_head.weight/bias).") var safetyHead: String?
    @OptionGroup var weights: ObjectiveWeightOptions
    @Option(help: "Seed of the safety head's initialisation when no file is given.") var seed: UInt64 = 2002

    func run() throws {
        let loaded = try records.load(tokenizerOf: modelInput.model)
        let decoder = try modelInput.load()
        let head = try safetyHead.map { try SafetyHead(file: $0, hiddenSize: decoder.config.hiddenSize) }
            ?? SafetyHead(hiddenSize: decoder.config.hiddenSize, seed: seed)
        var options = ObjectiveOptions()
        weights.apply(to: &options)
        let pad = loaded.tokenizer.eosTokenId ?? 0
        for (k, e) in loaded.examples.enumerated() {
            let r = try GradMode.noGrad {
                try SafeKeyObjective.evaluate(model: decoder, head: head, batch: [e], padId: pad, options: options, auxiliary: true)
            }
            let terms: [(String, Float?)] = [("sft_loss", r.sft), ("qmm_loss", r.qmm), ("head_loss", r.head), ("total", r.total.item)]
            if let (name, value) = terms.first(where: { !($0.1?.isFinite ?? true) }) {
                throw CLIError("encoded record \(k + 1): \(name) is \(value!), not a finite number; "
                    + "the model or safety-head weights hold NaN/infinity or overflow (check them, e.g. with safekey forward)")
            }
            // Keys in alphabetical order, as the lines have always been written.
            let o = JSONObject(terms.sorted { $0.0 < $1.0 }.map { term -> (key: String, value: JSONValue) in
                (key: term.0, value: term.1.map { jsonNumber(Double($0)) } ?? JSONValue.null)
            })
            try Console.out(jsonLine(o) + "\n")
        }
    }
}
