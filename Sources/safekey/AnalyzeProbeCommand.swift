import ArgumentParser
import Foundation
import SafeKey
import Support

/// `safekey analyze probe`: harmful-vs-benign separability at the end of U, per layer (``ProbeAnalysis``).
struct AnalyzeProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Per layer, a cross-validated logistic probe of harmful vs benign on U's last hidden state; plus the DPSH heads.",
        discussion: """
        Label: each record's `unsafe` (true/1 = harmful), or without it source != "4o_rewrite" (STAR-1 alone is all harmful: \
        add benign records). Feature: the hidden state of U's last token (just before K) at every level (embeddings, each block, \
        the final norm). One JSON line per level {"level", "name", "accuracy", "auc"} (held-out, pooled over the folds), then, \
        when the model (or --adapter) folder has safety_head.safetensors, {"dpsh": {"c_head_accuracy", "c_head_auc", \
        "ctx_head_accuracy", "ctx_head_auc"}} on every record, then {"summary": {"records", "harmful", "benign", "folds", "seed", "l2"}}.
        Example: safekey analyze probe --model runs/safekey --data eval-records.jsonl --folds 5 --seed 2002
        """)

    @OptionGroup var options: AnalysisOptions
    @Option(help: "Number of cross-validation folds (stratified, seeded).") var folds = 5
    @Option(help: "Seed of the fold assignment.") var seed: UInt64 = 2002
    @Option(help: "L2 penalty on the summed loss (scikit-learn's 1/C).") var l2: Double = 1

    func validate() throws {
        try OptionRange.atLeast("--folds", folds, 2)
        try OptionRange.within("--l2", l2, 1e-8...1e8)
    }

    func run() throws {
        let records = try options.records(needSpans: true)
        let harmful = records.filter(\.example.unsafe).count
        guard harmful > 0, harmful < records.count else {
            throw AnalysisError.singleClass(path: options.recordInput.data, harmful: harmful, benign: records.count - harmful)
        }
        guard folds <= records.count else {
            throw AnalysisError.invalidOption("--folds \(folds) is more than the \(records.count) usable records")
        }
        let model = try options.loadModel()
        let f = try ProbeAnalysis.features(model: model, records: records)
        let assignment = ProbeFolds.assign(labels: f.labels, folds: folds, seed: seed)
        var lines: [JSONValue] = []
        let layers = model.config.numLayers
        for level in 0...layers {
            let r = ProbeAnalysis.probe(level: level, features: f, folds: assignment, foldCount: folds, l2: l2)
            lines.append(["level": .int(level), "name": .string(ProbeAnalysis.levelName(level, layers: layers)),
                          "accuracy": jsonNumber(r.accuracy), "auc": jsonNumber(r.auc)])
        }
        let headFolder = options.modelInput.adapter ?? options.modelInput.model
        let headPath = (headFolder as NSString).appendingPathComponent("safety_head.safetensors")
        if FileManager.default.fileExists(atPath: headPath) {
            let head = try SafetyHead(file: headPath, hiddenSize: model.config.hiddenSize)
            let h = try ProbeAnalysis.heads(head, model: model, records: records)
            lines.append(["dpsh": ["c_head_accuracy": jsonNumber(h.understandingAccuracy), "c_head_auc": jsonNumber(h.understandingAUC),
                                   "ctx_head_accuracy": jsonNumber(h.contextAccuracy), "ctx_head_auc": jsonNumber(h.contextAUC)]])
        } else {
            printErr("analyze probe: no \(headPath); the DPSH heads' accuracy is not reported")
        }
        lines.append(["summary": ["records": .int(records.count), "harmful": .int(harmful), "benign": .int(records.count - harmful),
                                  "folds": .int(folds), "seed": .number(String(seed)), "l2": jsonNumber(l2)]])
        try options.emit(lines)
    }
}
