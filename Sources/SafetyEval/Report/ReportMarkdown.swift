import Foundation

/// `report.md`: one table per (judge, part, metric), shaped like the paper's (rows = models,
/// columns = benchmarks, an average column), each cell `rate% [low–high]` with the Wilson 95%
/// interval; then the rules, failure counts and per-category breakdowns.
public enum ReportMarkdown {
    public static func render(_ r: EvalReport) -> String {
        var s = "# SafeKey safety evaluation\n\n"
        s += "Rates are percentages of judged responses with Wilson 95% intervals in brackets. Failed judgements are left out and counted below. Average = unweighted mean over the table's benchmarks.\n\n"
        for key in r.tableKeys {
            let cells = r.cells(forTable: key)
            let benches = r.benchmarks.filter { b in cells.contains { $0.benchmark == b } }
            let lower = cells.first?.rate.lowerIsBetter ?? true
            s += "## \(EvalReport.tableTitle(key)) — \(lower ? "lower" : "higher") is better\n\n"
            let titles = benches.map { b in cells.first { $0.benchmark == b }?.title ?? b }
            s += "| Model | " + titles.joined(separator: " | ") + " | Average |\n"
            s += "|---|" + String(repeating: "---|", count: benches.count + 1) + "\n"
            for m in r.models where cells.contains(where: { $0.model == m }) {
                var row = "| \(escape(m)) |"
                for b in benches {
                    if let c = cells.first(where: { $0.model == m && $0.benchmark == b }) { row += " \(cellText(c.rate.overall)) |" } else { row += " – |" }
                }
                let avg = r.averages.first { $0.model == m && $0.tableKey == key }
                row += avg.map { " \(pct($0.mean)) |" } ?? " – |"
                s += row + "\n"
            }
            s += "\n"
            let notes = cells.filter { $0.rate.failures > 0 || $0.rate.unclosedThink > 0 }
            for c in notes {
                s += "- \(escape(c.model)) / \(c.title): \(c.rate.failures) failed judgement(s) left out; \(c.rate.unclosedThink) response(s) without `</think>`.\n"
            }
            if !notes.isEmpty { s += "\n" }
        }
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

    static func pct(_ x: Double) -> String { String(format: "%.1f", x * 100) }

    static func cellText(_ p: Proportion) -> String {
        p.n == 0 ? "n/a" : "\(pct(p.rate)) [\(pct(p.low))–\(pct(p.high))]"
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
