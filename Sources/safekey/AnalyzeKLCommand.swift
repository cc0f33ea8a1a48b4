import ArgumentParser
import Foundation
import SafeKey
import Support

/// `safekey analyze kl`: next-token KL(model ‖ reference) after pre-filling k response tokens (``KLAnalysis``).
struct AnalyzeKLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kl",
        abstract: "Mean next-token KL(model ‖ reference) after pre-filling the first k response tokens.",
        discussion: """
        For each record and each k: KL(P_model ‖ P_reference) = Σ_v P_model(v)·log(P_model(v)/P_reference(v)) in nats, of the \
        next-token distributions after the prompt and the record's first k response tokens (the reference's kl_eval.py; \
        records with fewer than k response tokens are left out of that k). One JSON line per record {"id", "kl": {"5": …}} \
        (null where left out), then {"summary": {"5": {mean, low, high, n}, …}}. Tokens come from --model's tokenizer.
        Example: safekey analyze kl --model runs/safekey --reference Assets/world-base --data records.jsonl --ks 5,10,20
        """)

    @OptionGroup var options: AnalysisOptions
    @Option(help: "Reference model folder (the P_reference side; usually the base the model was trained from).") var reference: String
    @Option(help: "PEFT LoRA adapter folder applied on top of --reference.") var referenceAdapter: String?
    @Option(help: "Comma-separated prefill lengths k (response tokens), e.g. 5,10,20.") var ks = CommaList([5, 10, 20])

    func validate() throws {
        guard ks.values.allSatisfy({ $0 >= 1 }), Set(ks.values).count == ks.values.count else {
            throw ValidationError("--ks \(ks): give distinct whole numbers ≥ 1, e.g. --ks 5,10,20")
        }
    }

    func run() throws {
        let ks = self.ks.values
        let records = try options.records(needSpans: false)
        let model = try options.loadModel()
        let ref = try options.loadModel(folder: reference, adapter: referenceAdapter)
        try KLAnalysis.checkCompatible(model, ref)
        var lines: [JSONValue] = []
        var results: [KLAnalysis.Result] = []
        for r in records {
            let m = try KLAnalysis.measure(model: model, reference: ref, record: r, ks: ks)
            results.append(m)
            let kl = JSONObject(zip(ks, m.kl).map { (key: String($0), value: $1.map(jsonNumber) ?? .null) })
            lines.append(["id": .string(m.id), "kl": .object(kl)])
        }
        let s = KLAnalysis.summarize(results, ks: ks)
        lines.append(["summary": .object(JSONObject(zip(ks, s).map { (key: String($0), value: jsonInterval($1)) }))])
        try options.emit(lines)
    }
}
