import Foundation

/// `report.html`: a single self-contained, offline page (no scripts, no external resources):
/// for each table a grouped SVG bar chart with Wilson 95% error bars, the table itself, a
/// per-category heat map per benchmark, and example responses per cell in `<details>` blocks.
public enum ReportHTML {
    static let palette = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]

    public static func render(_ r: EvalReport) -> String {
        var h = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>SafeKey safety evaluation</title>
        <style>
        body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:24px auto;max-width:1100px;color:#222}
        table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right;font-size:13px}
        th:first-child,td:first-child{text-align:left}caption{text-align:left;font-weight:600;margin-bottom:4px}
        .ci{color:#777;font-size:11px}details{margin:4px 0}summary{cursor:pointer;font-weight:600}
        pre{white-space:pre-wrap;background:#f6f6f6;padding:8px;border-radius:4px;font-size:12px;max-height:260px;overflow:auto}
        .counted{border-left:4px solid #e15759;padding-left:8px}.notcounted{border-left:4px solid #59a14f;padding-left:8px}
        svg text{font-family:inherit}
        </style></head><body>
        <h1>SafeKey safety evaluation</h1>
        <p>Rates are percentages of judged responses; error bars and brackets are Wilson 95% intervals. Failed judgements are left out (counted in the notes). Average = unweighted mean over the table's benchmarks.</p>

        """
        h += sections(r)
        h += "<h2>Rules</h2><ul>\n"
        for (k, v) in r.rules.sorted(by: { $0.key < $1.key }) { h += "<li><b>\(esc(k))</b>: \(esc(v))</li>\n" }
        h += "</ul></body></html>\n"
        return h
    }

    /// The report's body without the page around it: the combined table, then per table its bar
    /// chart, the table, per-category heat maps and example responses (for pages that embed a
    /// SafetyEval report, such as `safekey demo`'s).
    public static func sections(_ r: EvalReport) -> String {
        var h = ""
        if let c = r.combined { h += ReportCombined.html(c, allModels: r.models) }
        for (ti, t) in r.tables.enumerated() {
            let models = r.models.filter { m in t.columns.contains { r.cell(model: m, table: t, column: $0) != nil } }
            h += "<section id=\"table\(ti)\"><h2>\(esc(t.title))</h2>\n"
            h += barChart(r, table: t, models: models)
            h += table(r, table: t, models: models)
            for col in t.columns {
                let bc = models.compactMap { r.cell(model: $0, table: t, column: col) }.filter { !$0.rate.categories.isEmpty }
                if !bc.isEmpty { h += heatMap(bc, lowerIsBetter: col.lowerIsBetter) }
            }
            h += "<h3>Examples</h3>\n"
            for col in t.columns {
                for m in models {
                    guard let c = r.cell(model: m, table: t, column: col), !c.examples.isEmpty else { continue }
                    let lower = col.lowerIsBetter
                    h += "<details><summary>\(esc(c.model)) · \(esc(c.title)) · \(esc(c.rate.metric))</summary>\n"
                    for e in c.examples {
                        h += "<div class=\"\(e.counted ? "counted" : "notcounted")\"><p><b>\(e.counted ? (lower ? "harmful" : "compliant") : (lower ? "not harmful" : "not compliant"))</b> (label: \(esc(e.label)))<br><i>\(esc(e.instruction))</i></p><pre>\(esc(e.response))</pre></div>\n"
                    }
                    h += "</details>\n"
                }
            }
            h += "</section>\n"
        }
        return h
    }

    static func pct(_ x: Double) -> String { String(format: "%.1f", x * 100) }
    static func num(_ x: Double) -> String { String(format: "%.1f", x) }

    static func esc(_ s: String) -> String {
        var o = ""
        o.reserveCapacity(s.count)
        for c in s {
            switch c {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            case "'": o += "&#39;"
            default: o.append(c)
            }
        }
        return o
    }

    static func color(model: String, in all: [String]) -> String {
        palette[(all.firstIndex(of: model) ?? 0) % palette.count]
    }

    /// One group of bars: a title, each model's proportion (the bar and its Wilson interval) and,
    /// optionally, each model's points drawn as dots on its bar (e.g. one rate per seed).
    public struct ChartColumn: Sendable {
        public var title: String
        public var values: [String: Proportion]
        public var points: [String: [Double]]
        public init(title: String, values: [String: Proportion], points: [String: [Double]] = [:]) {
            self.title = title
            self.values = values
            self.points = points
        }
    }

    /// Grouped bars for one table: one group per benchmark, one bar per model.
    static func barChart(_ r: EvalReport, table t: ReportTable, models: [String]) -> String {
        let columns = t.columns.map { col in
            ChartColumn(title: col.lowerIsBetter ? col.title : "\(col.title) (\(col.metric))",
                        values: Dictionary(uniqueKeysWithValues: models.compactMap { m in
                            r.cell(model: m, table: t, column: col).map { (m, $0.rate.overall) } }))
        }
        return barChart(columns: columns, models: models, allModels: r.models)
    }

    /// Grouped bars: one group per column, one bar per model, Wilson error bars, the column's
    /// points as dots. Colours: `colors[model]`, else by the model's place in `allModels`. A long
    /// column title is wrapped onto up to three lines under its group.
    public static func barChart(columns: [ChartColumn], models: [String], allModels: [String], colors: [String: String] = [:]) -> String {
        let titles = columns.map { wrap($0.title, width: 20) }
        let titleLines = Double(titles.map(\.count).max() ?? 1)
        let barW = 22.0, gap = 26.0, left = 48.0, top = 16.0, plotH = 220.0, bottom = 42.0 + 14 * titleLines
        func color(_ m: String) -> String { colors[m] ?? Self.color(model: m, in: allModels) }
        // Wide enough for the benchmark label under each group.
        let groupW = max(Double(max(1, models.count)) * barW + gap, 140)
        let width = max(420, left + Double(columns.count) * groupW + 20)
        let legendH = Double(models.count) * 16 + 8
        let height = top + plotH + bottom + legendH
        func y(_ v: Double) -> Double { top + plotH * (1 - min(1, max(0, v))) }
        var s = "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(num(width))\" height=\"\(num(height))\" viewBox=\"0 0 \(num(width)) \(num(height))\" role=\"img\">\n"
        for g in stride(from: 0.0, through: 1.0, by: 0.25) {
            s += "<line x1=\"\(num(left))\" y1=\"\(num(y(g)))\" x2=\"\(num(width - 10))\" y2=\"\(num(y(g)))\" stroke=\"#ddd\"/>"
            s += "<text x=\"\(num(left - 6))\" y=\"\(num(y(g) + 4))\" font-size=\"11\" text-anchor=\"end\">\(Int(g * 100))%</text>\n"
        }
        for (gi, col) in columns.enumerated() {
            let gx = left + Double(gi) * groupW + (groupW - Double(models.count) * barW) / 2
            for (mi, m) in models.enumerated() {
                guard let p = col.values[m], p.n > 0 else { continue }
                let x = gx + Double(mi) * barW
                s += "<rect class=\"bar\" x=\"\(num(x + 2))\" y=\"\(num(y(p.rate)))\" width=\"\(num(barW - 4))\" height=\"\(num(max(0.5, top + plotH - y(p.rate))))\" fill=\"\(color(m))\"><title>\(esc(m)) · \(esc(col.title)): \(pct(p.rate))% [\(pct(p.low))–\(pct(p.high))], n = \(p.n)</title></rect>"
                let cx = x + barW / 2
                s += "<line class=\"errorbar\" x1=\"\(num(cx))\" y1=\"\(num(y(p.low)))\" x2=\"\(num(cx))\" y2=\"\(num(y(p.high)))\" stroke=\"#222\" stroke-width=\"1.2\"/>"
                s += "<line x1=\"\(num(cx - 4))\" y1=\"\(num(y(p.low)))\" x2=\"\(num(cx + 4))\" y2=\"\(num(y(p.low)))\" stroke=\"#222\"/>"
                s += "<line x1=\"\(num(cx - 4))\" y1=\"\(num(y(p.high)))\" x2=\"\(num(cx + 4))\" y2=\"\(num(y(p.high)))\" stroke=\"#222\"/>\n"
                for v in col.points[m] ?? [] { s += "<circle class=\"point\" cx=\"\(num(cx))\" cy=\"\(num(y(v)))\" r=\"2.5\" fill=\"#000\"/>" }
            }
            for (li, line) in titles[gi].enumerated() {
                s += "<text x=\"\(num(gx + Double(models.count) * barW / 2))\" y=\"\(num(top + plotH + 18 + 14 * Double(li)))\" font-size=\"12\" text-anchor=\"middle\">\(esc(line))</text>\n"
            }
        }
        s += "<line x1=\"\(num(left))\" y1=\"\(num(top + plotH))\" x2=\"\(num(width - 10))\" y2=\"\(num(top + plotH))\" stroke=\"#888\"/>\n"
        for (mi, m) in models.enumerated() {
            let ly = top + plotH + bottom + Double(mi) * 16
            s += "<rect x=\"\(num(left))\" y=\"\(num(ly - 10))\" width=\"12\" height=\"12\" fill=\"\(color(m))\"/><text x=\"\(num(left + 18))\" y=\"\(num(ly))\" font-size=\"12\">\(esc(m))</text>\n"
        }
        return s + "</svg>\n"
    }

    /// `text` in lines of at most about `width` characters (words kept whole), at most three: the
    /// last one takes the rest.
    public static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty, line.count + 1 + word.count > width, lines.count < 2 {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        return lines + (line.isEmpty && !lines.isEmpty ? [] : [line])
    }

    static func table(_ r: EvalReport, table t: ReportTable, models: [String]) -> String {
        var s = "<table><tr><th>Model</th>"
        for col in t.columns { s += "<th>\(esc(col.title)) \(col.lowerIsBetter ? "↓" : "↑ " + esc(col.metric))</th>" }
        s += t.columns.contains(where: \.lowerIsBetter) ? "<th>Average ↓ (harmful columns)</th></tr>\n" : "<th>Average</th></tr>\n"
        for m in models {
            s += "<tr><td>\(esc(m))</td>"
            for col in t.columns {
                if let c = r.cell(model: m, table: t, column: col), c.rate.overall.n > 0 {
                    let p = c.rate.overall
                    s += "<td>\(pct(p.rate)) <span class=\"ci\">[\(pct(p.low))–\(pct(p.high))] n=\(p.n)\(c.rate.failures > 0 ? ", \(c.rate.failures) failed" : "")\(c.rate.unclosedThink > 0 ? ", \(c.rate.unclosedThink) without &lt;/think&gt;" : "")</span></td>"
                } else { s += "<td>–</td>" }
            }
            let avg = r.averages.first { $0.model == m && $0.table == t.id }
            s += "<td>\(avg.map { pct($0.mean) } ?? "–")</td></tr>\n"
        }
        return s + "</table>\n<p class=\"ci\">↓ harmfulness (lower is better); ↑ compliance on benign prompts (higher is better).</p>\n"
    }

    /// Rows = models, columns = the benchmark's categories; colour = rate (red for harmfulness,
    /// green for compliance), with the percentage written in each cell.
    static func heatMap(_ cells: [ReportCell], lowerIsBetter: Bool) -> String {
        var cats: [String] = []
        for c in cells { for k in c.rate.categories where !cats.contains(k.category) { cats.append(k.category) } }
        let cellW = 64.0, cellH = 24.0, left = 170.0, top = 110.0
        let width = left + Double(cats.count) * cellW + 140, height = top + Double(cells.count) * cellH + 10
        var s = "<h3>Per category: \(esc(cells[0].title)) (\(esc(cells[0].rate.metric)))</h3>\n<svg class=\"heatmap\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(num(width))\" height=\"\(num(height))\" viewBox=\"0 0 \(num(width)) \(num(height))\" role=\"img\">\n"
        for (j, cat) in cats.enumerated() {
            let x = left + Double(j) * cellW + cellW / 2
            let label = cat.count > 26 ? String(cat.prefix(25)) + "…" : cat
            s += "<text transform=\"translate(\(num(x)),\(num(top - 6))) rotate(-40)\" font-size=\"11\">\(esc(label))<title>\(esc(cat))</title></text>\n"
        }
        for (i, c) in cells.enumerated() {
            let yy = top + Double(i) * cellH
            s += "<text x=\"\(num(left - 6))\" y=\"\(num(yy + cellH / 2 + 4))\" font-size=\"12\" text-anchor=\"end\">\(esc(c.model))</text>\n"
            for (j, cat) in cats.enumerated() {
                let x = left + Double(j) * cellW
                guard let v = c.rate.categories.first(where: { $0.category == cat })?.value, v.n > 0 else {
                    s += "<rect x=\"\(num(x))\" y=\"\(num(yy))\" width=\"\(num(cellW - 2))\" height=\"\(num(cellH - 2))\" fill=\"#f0f0f0\"/>\n"
                    continue
                }
                let k = Int(200 * v.rate)
                let fill = lowerIsBetter ? "rgb(255,\(255 - k),\(255 - k))" : "rgb(\(255 - k),255,\(255 - k))"
                s += "<rect class=\"heat\" x=\"\(num(x))\" y=\"\(num(yy))\" width=\"\(num(cellW - 2))\" height=\"\(num(cellH - 2))\" fill=\"\(fill)\"><title>\(esc(cat)): \(pct(v.rate))% [\(pct(v.low))–\(pct(v.high))], n = \(v.n)</title></rect>"
                s += "<text x=\"\(num(x + cellW / 2 - 1))\" y=\"\(num(yy + cellH / 2 + 4))\" font-size=\"11\" text-anchor=\"middle\">\(pct(v.rate))</text>\n"
            }
        }
        return s + "</svg>\n"
    }
}
