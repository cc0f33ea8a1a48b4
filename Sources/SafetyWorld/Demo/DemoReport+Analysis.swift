import Foundation

/// The report's analysis section (``DemoAnalysis``): K→U and K→prompt attention per model, and the
/// probe's held-out accuracy per level, as a Markdown table and as two SVG charts.
extension DemoReport {
    /// Each model's colour in every chart of the report.
    static let modelColors = ["base": "#9e9e9e", "SFT": "#4e79a7", "SafeKey": "#e15759"]

    static func analysisIntro(_ a: DemoAnalysis) -> String {
        "Seed \(a.seed)'s held-out records with their reference traces: \(a.records) (\(a.harmful) held-out-family jailbreaks, "
            + "\(a.records - a.harmful) benign look-alikes in the same families). Attention: layer \(a.layer) (the last), head-averaged; "
            + "for each K token the attention summed over U's tokens (K→U) and over the prompt's (K→prompt), averaged over K "
            + "(`safekey analyze attention`). Probe: a logistic probe on the hidden state at U's last token, harmful vs benign, "
            + "\(a.folds)-fold cross-validated held-out accuracy per level (`safekey analyze probe`)."
    }

    static func analysisMarkdown(_ a: DemoAnalysis) -> String {
        var md = "## Analysis (first seed)\n\n" + analysisIntro(a) + "\n\n| model | K→U [95%] | K→prompt [95%] | probe accuracy by level (AUC) |\n|---|---|---|---|\n"
        for m in a.models {
            let probe = zip(m.probeAccuracy, m.probeAUC).map { String(format: "%.2f (%.2f)", $0, $1) }.joined(separator: ", ")
            md += String(format: "| %@ | %.3f [%.3f, %.3f] | %.3f [%.3f, %.3f] | %@ |\n", m.model, m.kToU.mean, m.kToU.low, m.kToU.high,
                         m.kToPrompt.mean, m.kToPrompt.low, m.kToPrompt.high, probe.isEmpty ? "-" : probe)
        }
        return md + "\n"
    }

    static func analysisHTML(_ a: DemoAnalysis) -> String {
        "<h2>Analysis (first seed)</h2><p>\(escape(analysisIntro(a)))</p>" + attentionChart(a) + probeChart(a)
    }

    /// Two groups (K→U, K→prompt), one bar per model with its 95% interval.
    static func attentionChart(_ a: DemoAnalysis) -> String {
        let w = 520.0, h = 260.0, left = 50.0, top = 20.0, bottom = 50.0, plotH = h - top - bottom
        let hi = max(0.05, (a.models.flatMap { [$0.kToU.high, $0.kToPrompt.high] }.max() ?? 1) * 1.1)
        var svg = "<svg xmlns='http://www.w3.org/2000/svg' width='\(Int(w))' height='\(Int(h))' font-family='sans-serif' font-size='11'>"
        for tick in stride(from: 0.0, through: hi, by: hi > 0.5 ? 0.2 : 0.1) {
            let y = top + plotH * (1 - tick / hi)
            svg += "<line x1='\(left)' x2='\(w - 10)' y1='\(y)' y2='\(y)' stroke='#ddd'/><text x='\(left - 6)' y='\(y + 4)' text-anchor='end'>\(String(format: "%.1f", tick))</text>"
        }
        let groupW = (w - left - 10) / 2, barW = groupW / Double(a.models.count + 1)
        for (g, (title, pick)) in [("K → U", { (m: DemoAnalysis.ModelResult) in m.kToU }), ("K → prompt", { $0.kToPrompt })].enumerated() {
            let x0 = left + Double(g) * groupW + barW * 0.5
            for (i, m) in a.models.enumerated() {
                let v = pick(m), x = x0 + Double(i) * barW, xm = x + barW * 0.45
                svg += "<rect x='\(x)' y='\(top + plotH * (1 - v.mean / hi))' width='\(barW * 0.9)' height='\(plotH * v.mean / hi)' fill='\(modelColors[m.model] ?? "#000")'>"
                    + "<title>\(escape(m.model)) \(title): \(String(format: "%.3f [%.3f, %.3f]", v.mean, v.low, v.high))</title></rect>"
                svg += "<line x1='\(xm)' x2='\(xm)' y1='\(top + plotH * (1 - v.high / hi))' y2='\(top + plotH * (1 - v.low / hi))' stroke='#333'/>"
            }
            svg += "<text x='\(x0 + barW * Double(a.models.count) / 2)' y='\(h - bottom + 16)' text-anchor='middle'>\(escape(title))</text>"
        }
        svg += legend(a.models.map(\.model), y: h - 14)
        return svg + "</svg>"
    }

    /// Probe accuracy per level, one line per model (0.5 = chance).
    static func probeChart(_ a: DemoAnalysis) -> String {
        let levels = a.models.map(\.probeAccuracy.count).max() ?? 0
        guard levels > 1 else { return "<p>probe: too few records of a class</p>" }
        let w = 520.0, h = 260.0, left = 50.0, top = 20.0, bottom = 50.0, plotH = h - top - bottom, lo = 0.4
        var svg = "<svg xmlns='http://www.w3.org/2000/svg' width='\(Int(w))' height='\(Int(h))' font-family='sans-serif' font-size='11'>"
        for tick in stride(from: lo, through: 1.0001, by: 0.1) {
            let y = top + plotH * (1 - (tick - lo) / (1 - lo))
            svg += "<line x1='\(left)' x2='\(w - 10)' y1='\(y)' y2='\(y)' stroke='#ddd'/><text x='\(left - 6)' y='\(y + 4)' text-anchor='end'>\(String(format: "%.1f", tick))</text>"
        }
        let x = { (l: Int) in left + 10 + (w - left - 30) * Double(l) / Double(levels - 1) }
        for m in a.models where !m.probeAccuracy.isEmpty {
            let pts = m.probeAccuracy.enumerated().map { "\(x($0)),\(top + plotH * (1 - (max($1, lo) - lo) / (1 - lo)))" }.joined(separator: " ")
            svg += "<polyline fill='none' stroke='\(modelColors[m.model] ?? "#000")' stroke-width='2' points='\(pts)'><title>\(escape(m.model))</title></polyline>"
        }
        for l in 0..<levels {
            svg += "<text x='\(x(l))' y='\(h - bottom + 16)' text-anchor='middle'>\(l == 0 ? "emb" : l == levels - 1 ? "norm" : "b\(l - 1)")</text>"
        }
        svg += "<text x='\(left)' y='\(top - 6)'>probe held-out accuracy at U's last token, by level</text>" + legend(a.models.map(\.model), y: h - 14)
        return svg + "</svg>"
    }

    /// A colour key for `models`, one entry every 110 px from x = 50, text baseline at `y`.
    static func legend(_ models: [String], y: Double) -> String {
        models.enumerated().map { i, m in
            "<rect x='\(50 + Double(i) * 110)' y='\(y - 10)' width='12' height='12' fill='\(modelColors[m] ?? "#000")'/><text x='\(66 + Double(i) * 110)' y='\(y)'>\(escape(m))</text>"
        }.joined()
    }
}
