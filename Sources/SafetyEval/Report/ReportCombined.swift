import Foundation

/// Renders ``CombinedTable`` into `report.md` and `report.html` (called by ``ReportMarkdown`` and
/// ``ReportHTML`` before the per-judge tables).
public enum ReportCombined {
    /// The Markdown section: the main table, the metric of each column, and an ability-details table.
    public static func markdown(_ t: CombinedTable) -> String {
        var s = "## Safety and general ability\n\n"
        s += "Rates in % with Wilson 95% intervals" + (t.baseline.map { "; in parentheses the difference from the baseline `\($0)` in percentage points" } ?? "") + ". ↓ lower is better (harmfulness), ↑ higher is better (compliance on benign prompts, accuracy).\n\n"
        s += "| Model | " + t.columns.map { t.header($0) }.joined(separator: " | ") + " | Safety avg ↓ | Ability avg ↑ |\n"
        s += "|---|" + String(repeating: "---|", count: t.columns.count + 2) + "\n"
        for r in t.rows {
            let isBase = r.model == t.baseline
            s += "| \(ReportMarkdown.escape(r.model)) |"
            for (k, v) in r.values.enumerated() { s += " \(CombinedTable.cellText(v, delta: r.deltas[k], isBaseline: isBase)) |" }
            s += " \(mean(r.safetyMean, r.safetyMeanDelta, isBase)) | \(mean(r.abilityMean, r.abilityMeanDelta, isBase)) |\n"
        }
        s += "\nColumns: " + t.columns.map { "\($0.title) = \($0.metric) (\($0.judge) judge, \($0.part))" }.joined(separator: "; ") + ".\n\n"
        let abilityCols = t.columns.indices.filter { t.columns[$0].kind == "ability" }
        if !abilityCols.isEmpty {
            s += "### Ability details\n\n| Model | Benchmark | pass@k | truncated (no `</think>`) | accuracy without truncated | mean tokens | mean thinking tokens |\n|---|---|---|---|---|---|---|\n"
            for r in t.rows {
                for k in abilityCols {
                    guard let a = r.ability[k] else { continue }
                    s += "| \(ReportMarkdown.escape(r.model)) | \(t.columns[k].title) | \(passText(a)) | \(ReportMarkdown.cellText(a.truncated)) (\(a.truncated.k)/\(a.truncated.n)) | \(ReportMarkdown.cellText(a.accuracyClosed)) | \(a.meanResponseTokens.map { String(format: "%.0f", $0) } ?? "n/a") | \(a.meanThinkTokens.map { String(format: "%.0f", $0) } ?? "n/a") |\n"
                }
            }
            s += "\n"
        }
        return s
    }

    static func mean(_ v: Double?, _ d: Double?, _ isBase: Bool) -> String {
        guard let v else { return "–" }
        return ReportMarkdown.pct(v) + (isBase ? "" : d.map { " (\(CombinedTable.signed($0)))" } ?? "")
    }

    /// `pass@1 41.2, pass@5 63.0` in %, in increasing k.
    static func passText(_ a: AbilityStats) -> String {
        a.passAtK.sorted { (Int($0.key.dropFirst(5)) ?? 0) < (Int($1.key.dropFirst(5)) ?? 0) }
            .map { "\($0.key) \(ReportMarkdown.pct($0.value))" }.joined(separator: ", ")
    }

    /// The HTML section: one grouped bar chart over every column, then the table.
    public static func html(_ t: CombinedTable, allModels: [String]) -> String {
        let models = t.rows.map(\.model)
        let chartColumns = t.columns.enumerated().map { k, c in
            ReportHTML.ChartColumn(title: "\(c.title) \(c.lowerIsBetter ? "↓" : "↑")",
                                   values: Dictionary(uniqueKeysWithValues: t.rows.compactMap { r in r.values[k].map { (r.model, $0) } }))
        }
        var h = "<section id=\"combined\"><h2>Safety and general ability</h2>\n"
        h += "<p class=\"ci\">↓ harmfulness (lower is better); ↑ compliance on benign prompts and accuracy (higher is better)" + (t.baseline.map { "; differences from the baseline " + ReportHTML.esc($0) + " in percentage points" } ?? "") + ".</p>\n"
        h += ReportHTML.barChart(columns: chartColumns, models: models, allModels: allModels)
        h += "<table><tr><th>Model</th>" + t.columns.map { "<th>\(ReportHTML.esc(t.header($0)))<br><span class=\"ci\">\(ReportHTML.esc($0.metric)), \(ReportHTML.esc($0.judge))</span></th>" }.joined() + "<th>Safety avg ↓</th><th>Ability avg ↑</th></tr>\n"
        for r in t.rows {
            let isBase = r.model == t.baseline
            h += "<tr><td>\(ReportHTML.esc(r.model))</td>"
            for (k, v) in r.values.enumerated() {
                guard let p = v else { h += "<td>–</td>"; continue }
                let d = isBase ? " (baseline)" : r.deltas[k].map { " (\(CombinedTable.signed($0)))" } ?? ""
                h += "<td>\(ReportHTML.pct(p.rate))\(ReportHTML.esc(d)) <span class=\"ci\">[\(ReportHTML.pct(p.low))–\(ReportHTML.pct(p.high))] n=\(p.n)</span></td>"
            }
            h += "<td>\(ReportHTML.esc(mean(r.safetyMean, r.safetyMeanDelta, isBase)))</td><td>\(ReportHTML.esc(mean(r.abilityMean, r.abilityMeanDelta, isBase)))</td></tr>\n"
        }
        return h + "</table></section>\n"
    }
}
