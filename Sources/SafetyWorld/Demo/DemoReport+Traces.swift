import Foundation

/// The report's example traces (``DemoTrace``): each model's response to the same prompts, U and K
/// highlighted.
extension DemoReport {
    static let traceIntro = "The first prompt of the plain harmful and the held-out-family jailbreak sets (first seed), as each model "
        + "answered it; U (the model's restatement) and K (the sentence after it) are where the SafeKey annotator's rules picker "
        + "puts them (`safekey annotate --method rules`)."

    static func tracesMarkdown(_ traces: [DemoTrace]) -> String {
        guard !traces.isEmpty else { return "" }
        var md = "## Example traces (first seed)\n\n" + traceIntro + "\n\n"
        for t in traces {
            md += "**\(t.model)**, \(t.set) `\(t.id)` (verdict: \(t.verdict)) — prompt: \(t.prompt.replacingOccurrences(of: "\n", with: " "))\n\n"
            md += "- U: " + oneLine(t.u) + "\n- K: " + oneLine(t.k) + "\n- rest: " + oneLine(t.rest) + "\n\n"
        }
        return md
    }

    static func tracesHTML(_ traces: [DemoTrace]) -> String {
        guard !traces.isEmpty else { return "" }
        var html = "<h2>Example traces (first seed)</h2><p>\(escape(traceIntro)) <mark style='background:#cfe2ff'>U</mark> "
            + "<mark style='background:#ffd6a5'>K</mark></p>"
        for t in traces {
            html += "<h3>\(escape(t.model)) — \(escape(t.set)) <code>\(escape(t.id))</code>: \(escape(t.verdict))</h3>"
                + "<p><b>Prompt:</b> \(escape(t.prompt))</p><pre style='white-space:pre-wrap'>"
                + "<mark style='background:#cfe2ff'>\(escape(t.u))</mark><mark style='background:#ffd6a5'>\(escape(t.k))</mark>\(escape(t.rest))</pre>"
        }
        return html
    }

    private static func oneLine(_ s: String) -> String {
        let t = s.replacingOccurrences(of: "\n", with: " ⏎ ").trimmingCharacters(in: .whitespaces)
        return t.isEmpty ? "(none)" : t
    }
}
