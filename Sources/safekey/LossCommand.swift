import ArgumentParser
import Foundation
import Models
import SafeKey
import Tensor

/// `safekey loss`: the SafeKey loss terms of each record evaluated alone (issue 5, item 5).
struct LossCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loss",
        abstract: "Print {sft_loss, qmm_loss, head_loss, total} per record (JSONL).",
        discussion: "Example: safekey loss --model Assets/world-base --data records.jsonl --safety-head head.safetensors")

    @Option(help: "Model folder.") var model: String
    @Option(help: "SafeKey records (JSON array or JSONL).") var data: String
    @Option(help: "Safety head weights (safetensors: C_head.weight/bias, ctx_head.weight/bias).") var safetyHead: String?
    @Option(help: "Weight of the QMM term.") var keySentenceWeight: Float = 0.2
    @Option(help: "Weight of the DPSH term.") var headWeight: Float = 0.2
    @Option(help: "θ: weight of the understanding path inside DPSH.") var headTheta: Float = 0.5
    @Option(help: "Seed of the safety head's initialisation when no file is given.") var seed: UInt64 = 2002
    @Option(help: "Cut longer sequences on the right.") var maxSeqLen = 8192
    @Flag(help: "Load weights that hold NaN or infinity (refused by default).") var allowNonfinite = false

    func validate() throws {
        try OptionRange.atLeast("--max-seq-len", maxSeqLen, 1)
        try OptionRange.within("--key-sentence-weight", Double(keySentenceWeight), 0...1e6)
        try OptionRange.within("--head-weight", Double(headWeight), 0...1e6)
        try OptionRange.within("--head-theta", Double(headTheta), 0...1)
    }

    func run() throws {
        do {
            let loaded = try TrainingInputs.load(model: model, data: data, maxSeqLen: maxSeqLen, strict: false)
            let decoder = try DecoderModel(folder: model, allowNonFinite: allowNonfinite)
            let head = try safetyHead.map { try SafetyHead(file: $0, hiddenSize: decoder.config.hiddenSize) }
                ?? SafetyHead(hiddenSize: decoder.config.hiddenSize, seed: seed)
            var options = ObjectiveOptions()
            options.keySentenceWeight = keySentenceWeight
            options.headWeight = headWeight
            options.headTheta = headTheta
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
                var o: [String: Any] = [:]
                for (name, value) in terms { o[name] = value.map { Double($0) } ?? NSNull() }
                try Console.out(jsonLine(o) + "\n")
            }
        } catch {
            printErr("error: \(error)")
            throw ExitCode(1)
        }
    }
}
