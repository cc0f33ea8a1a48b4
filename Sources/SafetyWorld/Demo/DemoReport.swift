import Foundation
import SafetyEval
import SafeKey

/// The demo's table (terminal / Markdown) and a self-contained HTML page with SVG charts. Every
/// view shows harmfulness beside benign over-refusal, with the seed spread, pooled 95% Wilson
/// intervals and the paired SafeKey-vs-SFT test (``DemoStatistics``).
public enum DemoReport {
    typealias Row = (title: String, rows: [DemoRow], outcome: (WorldVerdictKind, DemoRow) -> Bool)

    /// The table's lines: each harmful row, the average, then over-refusal and compliance on each
    /// benign row (plain, seen families, held-out families).
    static var lines: [Row] {
        DemoRow.all.filter(\.isHarmful).map { ($0.title, [$0], DemoStatistics.counted) }
            + [("average (plain, seen, held-out, prefill U + K)", DemoRow.averaged, DemoStatistics.counted)]
            + DemoRow.benignRows.map { (benignTitle($0) + ": over-refusal (lower is better)", [$0], DemoStatistics.counted) }
            + DemoRow.benignRows.map { (benignTitle($0) + ": compliance (higher is better)", [$0], DemoStatistics.complied) }
    }

    /// "benign", "benign seen", "benign held-out": short titles of the benign rows.
    static func benignTitle(_ row: DemoRow) -> String {
        switch row.set {
        case .benignSeen: return "benign seen"
        case .benignHeldOut: return "benign held-out"
        default: return "benign"
        }
    }

    static func pct(_ x: Double) -> String { String(format: "%.1f", x * 100) }

    /// `mean ±sd [pooled Wilson]`, in percent.
    static func cellText(_ s: DemoStatistics.Summary) -> String {
        String(format: "%5.1f ±%4.1f [%4.1f, %5.1f]", s.spread.mean * 100, s.spread.sd * 100, s.pooled.low * 100, s.pooled.high * 100)
    }

    static func pairedText(_ m: McNemar) -> String { String(format: "%3d vs %-3d p=%.3g", m.b, m.c, m.p) }

    static func header(_ r: DemoResult) -> [String] {
        let n = r.cells.first?.kinds.count ?? 0
        return ["\(r.seeds.count) seed(s) (\(r.seeds.map(String.init).joined(separator: ", "))), \(n) prompts per set and seed; "
                + "world judge rules v\(WorldJudge.version): harmful = the answer carries out the request (complied or partial)",
                "cell: mean over seeds ±sd across seeds [pooled 95% Wilson interval], in %; "
                + "paired: prompts only SFT vs only SafeKey counted, exact McNemar p (pooled over seeds)"]
    }

    /// The table printed by `safekey demo`.
    public static func table(_ r: DemoResult) -> String {
        var out = header(r)
        out.append(pad("harmfulness (lower is better)", 48) + DemoPipeline.models.map { pad($0, 28) }.joined() + "SafeKey vs SFT (paired)")
        for line in lines {
            if line.title.hasPrefix("benign: over") || line.title.hasPrefix("benign: compliance") { out.append("") }
            out.append(pad(line.title, 48) + DemoPipeline.models.map {
                pad(cellText(DemoStatistics.summary(r, model: $0, rows: line.rows, outcome: line.outcome)), 28)
            }.joined() + pairedText(DemoStatistics.paired(r, rows: line.rows, "SFT", "SafeKey", outcome: line.outcome)))
        }
        out.append("")
        out.append(pad("per seed: average harm / benign over-refusal", 48) + DemoPipeline.models.map { pad($0, 28) }.joined())
        for (i, seed) in r.seeds.enumerated() {
            out.append(pad("seed \(seed)", 48) + DemoPipeline.models.map { m in
                let harm = DemoStatistics.summary(r, model: m, rows: DemoRow.averaged).perSeed
                let refusal = DemoStatistics.summary(r, model: m, rows: [DemoRow.benign]).perSeed
                return pad(i < harm.count && i < refusal.count ? "\(pct(harm[i])) / \(pct(refusal[i]))" : "-", 28)
            }.joined())
        }
        out.append("")
        out.append(pad("verdicts, pooled over seeds: " + kindsLegend, 48) + DemoPipeline.models.map { pad($0, 28) }.joined())
        for row in DemoRow.all {
            out.append(pad(row.title, 48) + DemoPipeline.models.map {
                pad(DemoStatistics.kindCounts(r, model: $0, row: row).map(String.init).joined(separator: "/"), 28)
            }.joined())
        }
        return out.joined(separator: "\n")
    }

    static let kindsLegend = "C/P/R/M/O"
    static let kindsExplained = "C complied, P partial, R refused, M malformed, O off-task"

    public static func markdown(_ r: DemoResult) -> String {
        var md = "# SafeKey demo — synthetic safety world\n\n"
        md += "Options: " + r.options.sorted { $0.key < $1.key }.map { "`\($0.key)=\($0.value)`" }.joined(separator: ", ") + "\n\n"
        md += header(r).map { $0 + "\n" }.joined() + "\n"
        md += "## Harmfulness and over-refusal\n\nEach cell: mean over seeds (min–max over seeds) [pooled 95% Wilson interval] (pooled k/n).\n\n"
        md += "| | " + DemoPipeline.models.joined(separator: " | ") + " | SafeKey vs SFT: only SFT / only SafeKey, exact McNemar p |\n|---|"
            + DemoPipeline.models.map { _ in "---|" }.joined() + "---|\n"
        for line in lines {
            md += "| \(line.title) | " + DemoPipeline.models.map { m in
                let s = DemoStatistics.summary(r, model: m, rows: line.rows, outcome: line.outcome)
                return String(format: "%.1f%% (%.1f–%.1f) [%.1f, %.1f] (%d/%d)", s.spread.mean * 100, s.spread.min * 100, s.spread.max * 100,
                              s.pooled.low * 100, s.pooled.high * 100, s.pooled.k, s.pooled.n)
            }.joined(separator: " | ")
            let m = DemoStatistics.paired(r, rows: line.rows, "SFT", "SafeKey", outcome: line.outcome)
            md += String(format: " | %d / %d, p = %.3g |\n", m.b, m.c, m.p)
        }
        md += "\n## Per seed: average harmfulness / benign over-refusal (%)\n\n| seed | " + DemoPipeline.models.joined(separator: " | ")
            + " |\n|---|" + DemoPipeline.models.map { _ in "---|" }.joined() + "\n"
        for (i, seed) in r.seeds.enumerated() {
            md += "| \(seed) | " + DemoPipeline.models.map { m in
                let harm = DemoStatistics.summary(r, model: m, rows: DemoRow.averaged).perSeed
                let refusal = DemoStatistics.summary(r, model: m, rows: [DemoRow.benign]).perSeed
                return i < harm.count && i < refusal.count ? "\(pct(harm[i])) / \(pct(refusal[i]))" : "-"
            }.joined(separator: " | ") + " |\n"
        }
        md += "\n## Verdict kinds, pooled over seeds (\(kindsExplained))\n\n| set | " + DemoPipeline.models.joined(separator: " | ")
            + " |\n|---|" + DemoPipeline.models.map { _ in "---|" }.joined() + "\n"
        for row in DemoRow.all {
            md += "| \(row.title) | " + DemoPipeline.models.map {
                DemoStatistics.kindCounts(r, model: $0, row: row).map(String.init).joined(separator: " / ")
            }.joined(separator: " | ") + " |\n"
        }
        md += "\nThe prefill rows pre-fill more and more of the base model's compliant trace into the response of the same prompts: "
            + "U only; U and the compliant key sentence K; the whole thinking and `</think>`; and the answer's opening up to `Step 1:`.\n\n"
        md += familiesMarkdown(r)
        if let a = r.analysis { md += analysisMarkdown(a) }
        md += tracesMarkdown(r.traces)
        if let e = r.evaluation {
            md += "## Per set, as SafetyEval reports it (pooled over seeds)\n\nThe judged generation files (`generations/<model>/<set>.json`) through "
                + "`safekey report`'s tables; both metrics count the world judge's `complied` label (complied or partial).\n\n" + ReportMarkdown.tables(e, level: "###")
        }
        md += "## Time\n\n" + r.seconds.sorted { $0.key < $1.key }.map { String(format: "- %@: %.1f s", $0.key, $0.value) }.joined(separator: "\n") + "\n"
        return md
    }

    public static func html(_ r: DemoResult) -> String {
        // Bars (SafetyEval's chart): one group per line of the table, one bar per model (pooled
        // rate), the Wilson interval as a whisker and each seed's rate as a dot.
        let columns = lines.map { line in
            let summaries = DemoPipeline.models.map { ($0, DemoStatistics.summary(r, model: $0, rows: line.rows, outcome: line.outcome)) }
            return ReportHTML.ChartColumn(title: line.title, values: Dictionary(uniqueKeysWithValues: summaries.map { ($0.0, $0.1.pooled) }),
                                          points: Dictionary(uniqueKeysWithValues: summaries.map { ($0.0, $0.1.perSeed) }))
        }
        let chart = ReportHTML.barChart(columns: columns, models: DemoPipeline.models, allModels: DemoPipeline.models, colors: modelColors)
        var page = "<!doctype html><html><head><meta charset='utf-8'><title>SafeKey demo</title>"
        page += "<style>body{font-family:sans-serif;max-width:1140px;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}"
            + ".ci{color:#777;font-size:11px}pre{white-space:pre-wrap;background:#f6f6f6;padding:8px;font-size:12px;max-height:260px;overflow:auto}"
            + ".counted{border-left:4px solid #e15759;padding-left:8px}.notcounted{border-left:4px solid #59a14f;padding-left:8px}</style></head><body>"
        page += "<h1>SafeKey demo — synthetic safety world</h1><p>Harmfulness per set and benign over-refusal (lower is better) and benign compliance (higher is better): bars are pooled over seeds, whiskers 95% Wilson intervals, dots one seed each.</p>"
        page += "<div style='overflow-x:auto'>" + chart + "</div>" + familiesHTML(r) + "<h2>Training loss (first seed, log scale)</h2>" + lossChart(r)
            + (r.analysis.map(analysisHTML) ?? "") + tracesHTML(r.traces)
        if let e = r.evaluation {
            page += "<h2>Per set, as SafetyEval reports it (pooled over seeds)</h2><p>The judged generation files (<code>generations/&lt;model&gt;/&lt;set&gt;.json</code>) "
                + "through <code>safekey report</code>'s tables, per-category maps and examples. Harmfulness and compliance here both count the world judge's "
                + "<code>complied</code> label (complied or partial); on benign sets that is compliance.</p>" + ReportHTML.sections(e)
        }
        page += "<h2>Table</h2><pre>" + escape(table(r)) + "</pre></body></html>\n"
        return page
    }

    /// Total loss per optimizer step, SFT and SafeKey, on a log₁₀ axis (the losses span decades).
    static func lossChart(_ r: DemoResult) -> String {
        let series: [(String, [StepLog], String)] = [("SFT total", r.sftLog, "#4e79a7"), ("SafeKey total", r.safekeyLog, "#e15759")]
        let all = series.flatMap { $0.1.map(\.loss) }.filter { $0 > 0 && $0.isFinite }
        guard let minLoss = all.min(), let maxLoss = all.max(), maxLoss > minLoss else { return "<p>no training log</p>" }
        let lo = log10(minLoss), hi = log10(maxLoss)
        let w = 760.0, h = 260.0, left = 50.0, top = 10.0, bottom = 40.0
        let steps = Double(max(series.map { $0.1.count }.max() ?? 1, 2) - 1)
        var svg = "<svg xmlns='http://www.w3.org/2000/svg' width='\(Int(w))' height='\(Int(h))' font-family='sans-serif' font-size='11'>"
        for (name, log, color) in series where !log.isEmpty {
            let pts = log.enumerated().map { i, s in
                "\(left + (w - left - 10) * Double(i) / steps),\(top + (h - top - bottom) * (1 - (log10(max(s.loss, minLoss)) - lo) / (hi - lo)))"
            }.joined(separator: " ")
            svg += "<polyline fill='none' stroke='\(color)' stroke-width='1.5' points='\(pts)'><title>\(name)</title></polyline>"
        }
        svg += "<text x='\(left)' y='\(h - 12)'>optimizer step →</text><text x='4' y='\(top + 10)'>\(String(format: "%.3g", maxLoss))</text><text x='4' y='\(h - bottom)'>\(String(format: "%.3g", minLoss))</text>"
        svg += "<text x='\(w - 250)' y='\(top + 12)' fill='#4e79a7'>SFT</text><text x='\(w - 210)' y='\(top + 12)' fill='#e15759'>SafeKey (SFT + 0.2·QMM + 0.2·DPSH)</text></svg>"
        return svg
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
}
