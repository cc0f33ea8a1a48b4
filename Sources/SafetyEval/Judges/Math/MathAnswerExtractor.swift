import Foundation

/// Finds the final answer in a response's answer part (after `</think>`; the whole response when
/// it never closed its reasoning).
///
/// 1. The content of the **last** `\boxed{…}` (also `\fbox{…}`, `\framebox{…}`) with balanced braces;
///    `\boxed 5` (no braces) takes the next token. A box that never closes (a truncated response)
///    is skipped and the one before it is tried.
/// 2. Else the text after the last "final answer is", "the answer is" or "answer:" (case-insensitive),
///    up to the end of its line, without a trailing full stop.
/// 3. Else nothing: the response is judged wrong with `extracted: null`.
public enum MathAnswerExtractor {
    public static func extract(_ text: String) -> String? {
        if let b = lastBoxed(text) { return b }
        return afterPhrase(text)
    }

    /// The content of the last complete `\boxed{…}` (or `\fbox`, `\framebox`).
    public static func lastBoxed(_ text: String) -> String? {
        let c = Array(text.unicodeScalars)
        var best: (start: Int, content: String)?
        for marker in ["\\boxed", "\\fbox", "\\framebox"] {
            let m = Array(marker.unicodeScalars)
            var k = c.count - m.count
            while k >= 0 {
                if c[k] == "\\", Array(c[k..<(k + m.count)]) == m, best.map({ k > $0.start }) ?? true,
                   let content = boxContent(c, from: k + m.count) {
                    best = (k, content)
                    break
                }
                k -= 1
            }
        }
        return best.map { $0.content.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// After `\boxed`: `{balanced}` or ` token`; nil when the braces never close.
    static func boxContent(_ c: [Unicode.Scalar], from start: Int) -> String? {
        var k = start
        if k < c.count, c[k].properties.isAlphabetic { return nil }  // `\boxedfoo` is another command
        while k < c.count, c[k] == " " { k += 1 }
        guard k < c.count else { return nil }
        if c[k] == "{" {
            var depth = 0
            var j = k
            while j < c.count {
                if c[j] == "\\", j + 1 < c.count { j += 2; continue }
                if c[j] == "{" { depth += 1 } else if c[j] == "}" {
                    depth -= 1
                    if depth == 0 { return String(String.UnicodeScalarView(c[(k + 1)..<j])) }
                }
                j += 1
            }
            return nil
        }
        guard k > start else { return nil }
        var j = k
        while j < c.count, c[j] != " ", c[j] != "$", c[j] != "\n" { j += 1 }
        return j > k ? String(String.UnicodeScalarView(c[k..<j])) : nil
    }

    static let phrases = ["final answer is", "the answer is", "answer:"]

    /// Step 2.
    static func afterPhrase(_ text: String) -> String? {
        let lower = text.lowercased()
        var best: Range<String.Index>?
        for p in phrases {
            if let r = lower.range(of: p, options: .backwards), best.map({ r.lowerBound > $0.lowerBound }) ?? true { best = r }
        }
        // lowercased() keeps the same indices only for ASCII; map back through offsets.
        guard let r = best else { return nil }
        let off = lower.distance(from: lower.startIndex, to: r.upperBound)
        guard let start = text.index(text.startIndex, offsetBy: off, limitedBy: text.endIndex) else { return nil }
        var line = String(text[start...].prefix { $0 != "\n" }).trimmingCharacters(in: .whitespaces)
        if line.hasPrefix(":") { line = String(line.dropFirst()).trimmingCharacters(in: .whitespaces) }
        while let l = line.last, l == "." || l == " " { line.removeLast() }
        for w in ["**", "*"] where line.hasPrefix(w) && line.hasSuffix(w) && line.count > 2 * w.count {
            line = String(line.dropFirst(w.count).dropLast(w.count))
        }
        return line.isEmpty ? nil : line
    }
}
