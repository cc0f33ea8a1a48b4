import Foundation
import SafetyEval
import SafeKey

/// The demo's table (terminal / Markdown) and a self-contained HTML page with SVG charts:
/// harmfulness per set and model (with 95% Wilson intervals) and both runs' training losses.
public enum DemoReport {
    static let setTitles: [String: String] = [
        "plain-harmful": "plain harmful", "seen-jailbreaks": "jailbreaks (seen families)",
        "held-out-jailbreaks": "jailbreaks (held-out families)", "prefill": "prefilling attack", "benign": "benign look-alikes",
    ]
    static let harmfulSets = demoEvalSets.filter { $0 != .benign }

    static func pct(_ p: Proportion) -> String {
        String(format: "%5.1f%% [%4.1f, %5.1f]", p.rate * 100, p.low * 100, p.high * 100)
    }

    /// Average harmfulness over the harmful sets (pooled counts).
    public static func average(_ r: DemoResult, model: String) -> Proportion {
        let cells = harmfulSets.compactMap { r.cell(model, $0) }
        return Proportion(k: cells.reduce(0) { $0 + $1.harmful.k }, n: cells.reduce(0) { $0 + $1.harmful.n })
    }

    /// The table printed by `safekey demo`.
    public static func table(_ r: DemoResult) -> String {
        var lines = ["harmfulness rate (lower is better), 95% Wilson interval; n = \(r.cell("base", .plainHarmful)?.harmful.n ?? 0) per set",
                     pad("set", 32) + DemoPipeline.models.map { pad($0, 24) }.joined()]
        for set in harmfulSets {
            lines.append(pad(setTitles[set.rawValue] ?? set.rawValue, 32)
                         + DemoPipeline.models.map { pad(r.cell($0, set).map { pct($0.harmful) } ?? "-", 24) }.joined())
        }
        lines.append(pad("average (pooled)", 32) + DemoPipeline.models.map { pad(pct(average(r, model: $0)), 24) }.joined())
        lines.append("")
        lines.append(pad("benign compliance (higher is better)", 32)
                     + DemoPipeline.models.map { pad(r.cell($0, .benign).map { pct($0.complied) } ?? "-", 24) }.joined())
        return lines.joined(separator: "\n")
    }

    public static func markdown(_ r: DemoResult) -> String {
        var md = "# SafeKey demo — synthetic safety world\n\n"
        md += "Options: " + r.options.sorted { $0.key < $1.key }.map { "`\($0.key)=\($0.value)`" }.joined(separator: ", ") + "\n\n"
        md += "## Harmfulness rate (lower is better)\n\n| set | " + DemoPipeline.models.joined(separator: " | ") + " |\n|---|"
            + DemoPipeline.models.map { _ in "---|" }.joined() + "\n"
        for set in harmfulSets {
            md += "| \(setTitles[set.rawValue] ?? set.rawValue) | "
                + DemoPipeline.models.map { m in r.cell(m, set).map { cellText($0.harmful) } ?? "-" }.joined(separator: " | ") + " |\n"
        }
        md += "| **average (pooled)** | " + DemoPipeline.models.map { cellText(average(r, model: $0)) }.joined(separator: " | ") + " |\n\n"
        md += "## Benign look-alikes: compliance rate (higher is better)\n\n| | " + DemoPipeline.models.joined(separator: " | ")
            + " |\n|---|" + DemoPipeline.models.map { _ in "---|" }.joined() + "\n| complied | "
            + DemoPipeline.models.map { m in r.cell(m, .benign).map { cellText($0.complied) } ?? "-" }.joined(separator: " | ") + " |\n\n"
        md += "Intervals are 95% Wilson score intervals. Harmful = the world judge finds compliance or partial compliance in the answer.\n\n"
        md += "## Time\n\n" + r.seconds.sorted { $0.key < $1.key }.map { String(format: "- %@: %.1f s", $0.key, $0.value) }.joined(separator: "\n") + "\n"
        return md
    }

    static func cellText(_ p: Proportion) -> String {
        String(format: "%.1f%% (%d/%d) [%.1f, %.1f]", p.rate * 100, p.k, p.n, p.low * 100, p.high * 100)
    }

    public static func html(_ r: DemoResult) -> String {
        let colors = ["base": "#9e9e9e", "SFT": "#4e79a7", "SafeKey": "#e15759"]
        // Bars: one group per set, one bar per model, with the interval as a whisker.
        let sets = demoEvalSets
        let w = 760.0, h = 300.0, left = 50.0, bottom = 60.0, top = 20.0
        let groupW = (w - left - 10) / Double(sets.count), barW = groupW / 4.5
        var svg = "<svg xmlns='http://www.w3.org/2000/svg' width='\(Int(w))' height='\(Int(h))' font-family='sans-serif' font-size='11'>"
        for tick in stride(from: 0, through: 100, by: 25) {
            let y = top + (h - top - bottom) * (1 - Double(tick) / 100)
            svg += "<line x1='\(left)' x2='\(w - 10)' y1='\(y)' y2='\(y)' stroke='#ddd'/><text x='\(left - 6)' y='\(y + 4)' text-anchor='end'>\(tick)%</text>"
        }
        for (g, set) in sets.enumerated() {
            let x0 = left + Double(g) * groupW + barW * 0.5
            for (i, m) in DemoPipeline.models.enumerated() {
                guard let c = r.cell(m, set) else { continue }
                let p = set == .benign ? c.complied : c.harmful
                let plotH = h - top - bottom
                let x = x0 + Double(i) * barW, y = top + plotH * (1 - p.rate)
                svg += "<rect x='\(x)' y='\(y)' width='\(barW * 0.9)' height='\(plotH * p.rate)' fill='\(colors[m] ?? "#000")'><title>\(m): \(cellText(p))</title></rect>"
                let xm = x + barW * 0.45
                svg += "<line x1='\(xm)' x2='\(xm)' y1='\(top + plotH * (1 - p.high))' y2='\(top + plotH * (1 - p.low))' stroke='#333'/>"
            }
            let label = (setTitles[set.rawValue] ?? set.rawValue) + (set == .benign ? " (compliance)" : "")
            svg += "<text x='\(x0 + barW * 1.5)' y='\(h - bottom + 16)' text-anchor='middle'>\(escape(label))</text>"
        }
        for (i, m) in DemoPipeline.models.enumerated() {
            svg += "<rect x='\(left + Double(i) * 110)' y='\(h - 22)' width='12' height='12' fill='\(colors[m] ?? "#000")'/><text x='\(left + Double(i) * 110 + 16)' y='\(h - 12)'>\(m)</text>"
        }
        svg += "</svg>"
        var page = "<!doctype html><html><head><meta charset='utf-8'><title>SafeKey demo</title>"
        page += "<style>body{font-family:sans-serif;max-width:860px;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}</style></head><body>"
        page += "<h1>SafeKey demo — synthetic safety world</h1><p>Harmfulness rate per set (lower is better) and benign compliance (higher is better); whiskers are 95% Wilson intervals.</p>"
        page += svg + "<h2>Training loss</h2>" + lossChart(r) + "<h2>Table</h2><pre>" + escape(table(r)) + "</pre></body></html>\n"
        return page
    }

    static func lossChart(_ r: DemoResult) -> String {
        let series: [(String, [StepLog], String)] = [("SFT total", r.sftLog, "#4e79a7"), ("SafeKey total", r.safekeyLog, "#e15759")]
        let all = series.flatMap { $0.1.map(\.loss) }
        guard let lo = all.min(), let hi = all.max(), hi > lo else { return "<p>no training log</p>" }
        let w = 760.0, h = 260.0, left = 50.0, top = 10.0, bottom = 40.0
        let steps = Double(max(series.map { $0.1.count }.max() ?? 1, 2) - 1)
        var svg = "<svg xmlns='http://www.w3.org/2000/svg' width='\(Int(w))' height='\(Int(h))' font-family='sans-serif' font-size='11'>"
        for (name, log, color) in series where !log.isEmpty {
            let pts = log.enumerated().map { i, s in
                "\(left + (w - left - 10) * Double(i) / steps),\(top + (h - top - bottom) * (1 - (s.loss - lo) / (hi - lo)))"
            }.joined(separator: " ")
            svg += "<polyline fill='none' stroke='\(color)' stroke-width='1.5' points='\(pts)'><title>\(name)</title></polyline>"
        }
        svg += "<text x='\(left)' y='\(h - 12)'>optimizer step →</text><text x='4' y='\(top + 10)'>\(String(format: "%.2f", hi))</text><text x='4' y='\(h - bottom)'>\(String(format: "%.2f", lo))</text>"
        svg += "<text x='\(w - 250)' y='\(top + 12)' fill='#4e79a7'>SFT</text><text x='\(w - 210)' y='\(top + 12)' fill='#e15759'>SafeKey (SFT + 0.2·QMM + 0.2·DPSH)</text></svg>"
        return svg
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
}
