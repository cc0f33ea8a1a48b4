import Foundation

/// `report.md`: one table per (judge, part, metric), shaped like the paper's (rows = models,
/// columns = benchmarks, an average column), each cell `rate% [low–high]` with the Wilson 95%
/// interval; then the rules, failure counts and per-category breakdowns.
public enum ReportMarkdown {
    public static func render(_ r: EvalReport) -> String {
        var s = "# SafeKey safety evaluation\n\n"
        s += "Rates are percentages of judged responses with Wilson 95% intervals in brackets. Failed judgements are left out and counted below. Average = unweighted mean over the table's benchmarks.\n\n"
        if let c = r.combined { s += ReportCombined.markdown(c) }
        s += tables(r, level: "##")
        s += "## Rules\n\n"
        for (k, v) in r.rules.sorted(by: { $0.key < $1.key }) { s += "- **\(k)**: \(v)\n" }
        s += "\n## Per category\n\n"
        for c in r.cells where !c.rate.categories.isEmpty {
            s += "### \(escape(c.model)) / \(c.title) — \(c.rate.metric) (\(c.rate.judge))\n\n| Category | n | Rate |\n|---|---|---|\n"
            for cat in c.rate.categories { s += "| \(escape(cat.category)) | \(cat.value.n) | \(cellText(cat.value)) |\n" }
            s += "\n"
        }
        return s
    }

    /// The results tables alone, each under a heading of `level` (`##`, `###`…), with its notes on
    /// failed judgements (for documents that embed a SafetyEval report, such as `safekey demo`'s).
    public static func tables(_ r: EvalReport, level: String) -> String {
        var s = ""
        for t in r.tables {
            s += "\(level) \(t.title)\n\n"
            s += "| Model | " + t.columns.map { "\($0.title) \($0.lowerIsBetter ? "↓" : "↑ \($0.metric)")" }.joined(separator: " | ") + (t.columns.contains(where: \.lowerIsBetter) ? " | Average ↓ (harmful columns) | Failed (left out) |\n" : " | Average | Failed (left out) |\n")
            s += "|---|" + String(repeating: "---|", count: t.columns.count + 2) + "\n"
            var notes: [String] = []
            for m in r.models where t.columns.contains(where: { r.cell(model: m, table: t, column: $0) != nil }) {
                var row = "| \(escape(m)) |"
                var failed = 0
                for col in t.columns {
                    guard let c = r.cell(model: m, table: t, column: col) else { row += " – |"; continue }
                    row += " \(cellText(c.rate.overall)) |"
                    failed += c.rate.failures
                    if c.rate.failures > 0 || c.rate.unclosedThink > 0 {
                        notes.append("- \(escape(m)) / \(c.title): \(c.rate.failures) failed judgement(s) left out; \(c.rate.unclosedThink) response(s) without `</think>`.")
                    }
                }
                let avg = r.averages.first { $0.model == m && $0.table == t.id }
                row += avg.map { " \(pct($0.mean)) |" } ?? " n/a |"
                row += " \(failed) |"
                s += row + "\n"
            }
            s += "\n↓ harmfulness (lower is better), ↑ compliance on benign prompts (higher is better).\n\n"
            if !notes.isEmpty { s += notes.joined(separator: "\n") + "\n\n" }
        }
        return s
    }

    static func pct(_ x: Double) -> String { String(format: "%.1f", x * 100) }

    static func cellText(_ p: Proportion) -> String {
        p.n == 0 ? "n/a" : "\(pct(p.rate)) [\(pct(p.low))–\(pct(p.high))]"
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
