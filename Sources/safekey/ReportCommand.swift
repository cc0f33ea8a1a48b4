import ArgumentParser
import Foundation
import SafetyEval
import Tokenizers

/// `safekey report RESULTS... --output DIR [--baseline NAME]` — reads judged generation files and
/// writes `report.json`, `report.md` (paper-shaped tables: rows = models, columns = benchmarks,
/// Wilson 95% intervals) and `report.html` (self-contained, SVG bar charts with error bars,
/// per-category heat maps, example responses), each atomically. When the files include general-
/// ability judges (math, choice, code) or `--baseline` is given, both come first with one
/// combined table and chart: harmfulness, over-refusal and accuracy per model, with deltas against
/// the baseline model (the paper's main table).
///
///     safekey report result/*/*.json --output report/ --baseline R1-7B
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write report.json, report.md and report.html from judged result files."
    )

    @Argument(help: "Judged generation files (model from meta_info.model or the parent folder; benchmark from meta_info.data or the file name).") var results: [String]
    @Option(help: "Folder for report.json, report.md and report.html.") var output: String
    @Option(help: "Example responses kept per cell.") var examples: Int = 3
    @Option(help: "Model the combined safety + ability table compares against (deltas in percentage points).") var baseline: String?

    @Option(help: "Tokenizer (tokenizer.json or its folder) that counts response and thinking tokens for files without counts (written by other tools).")
    var tokenizer: String?

    func run() throws {
        guard !results.isEmpty else { throw ValidationError("give at least one judged result file") }
        var inputs = try results.map(ReportInput.init(path:))
        for i in inputs { try Rates.validateLabels(i.file, path: i.path) }
        for f in ["report.json", "report.md", "report.html"] {
            try OutputGuard.refuseOverwritingInputs(output: ("--output", (output as NSString).appendingPathComponent(f)), inputs: results.map { ("result", $0) })
        }
        if let t = tokenizer {
            let tok = try Tokenizer(path: t)
            for k in inputs.indices {
                let (filled, n) = try LengthCounter.fill(inputs[k].file, tokenizer: tok)
                inputs[k].file = filled
                if n > 0 { try Console.out("\(inputs[k].path): counted tokens of \(n) records with \(t)\n") }
            }
        }
        let report = EvalReport.build(inputs, examplesPerCell: max(0, examples), baseline: baseline)
        if let b = baseline, !report.models.contains(b) {
            throw ValidationError("--baseline '\(b)' is not one of the models in these files: \(report.models.joined(separator: ", ")) (model = meta_info.model, else the parent folder's name)")
        }
        if report.cells.isEmpty {
            throw SafetyEvalError.badResults(path: results.joined(separator: ", "), detail: "no judge labels found (keys ending in _label); run `safekey eval --judge ...` on these files first")
        }
        try report.write(to: output)
        if let c = report.combined {
            for r in c.rows {
                print("\(r.model): safety avg \(r.safetyMean.map { String(format: "%.1f%%", $0 * 100) } ?? "–"), ability avg \(r.abilityMean.map { String(format: "%.1f%%", $0 * 100) } ?? "–")"
                      + (r.model == c.baseline ? " (baseline)" : (r.abilityMeanDelta.map { " (ability \(CombinedTable.signed($0)) points)" } ?? "")))
            }
        }
        for t in report.tables {
            try Console.out("\(t.title): " + report.models.map { m in
                let a = report.averages.first { $0.model == m && $0.table == t.id }
                return "\(m) \(a.map { String(format: "%.1f%%", $0.mean * 100) } ?? "–")"
            }.joined(separator: ", ") + "\n")
        }
        let dir = URL(fileURLWithPath: output)
        for f in ["report.json", "report.md", "report.html"] { try Console.out("wrote \(dir.appendingPathComponent(f).path)\n") }
    }
}
