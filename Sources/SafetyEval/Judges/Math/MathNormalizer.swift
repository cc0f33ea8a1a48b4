import Foundation

/// Text-level normalisation of an extracted answer, applied to both the response's and the gold
/// answer before they are parsed (``MathAnswer``). In order:
///
/// 1. trim; drop `\$` (dollars), then `$`, `\(`…`\)`, `\[`…`\]`, `\displaystyle`; Unicode `−`, `π`, `√`, `∞`, `×`, `·`, `±` → LaTeX;
/// 2. `\dfrac`/`\tfrac` → `\frac`; drop `\left`/`\right` (and `\right.`), spacing `\!` `\,` `\;` `\:` `\ ` `~`;
/// 3. drop degrees (`^\circ`, `^{\circ}`, `°`, `\circ`), percent (`\%`, `%`); `,\!` (LaTeX's thousands
///    separator, with or without a space after it) → `,`;
/// 4. `\text{…}`/`\textbf`/`\mbox`/`\mathrm`/`\textit`/`\mathbf`: when the rest of the answer holds a
///    digit they are units and dropped (with a following `^2`/`^3`); otherwise their content is kept;
///    trailing unit words after a number (`5 cm`, `12 inches`, see ``MathNormalizer/units``) are dropped;
/// 5. `{,}` → `,`; thousands separators `1,234,567` → `1234567` (groups of exactly three digits,
///    no space after the comma);
/// 6. ` and ` / `\text{ or }` between answers → `,`; collapse spaces; drop a trailing `.`.
public enum MathNormalizer {
    /// Unit words dropped after a number when not wrapped in `\text{}`.
    public static let units: [String] = ["square", "sq", "cubic", "units", "unit", "cm", "mm", "km", "m", "meters", "metres", "meter", "inches", "inch",
                                         "in", "feet", "foot", "ft", "yards", "yd", "miles", "mph", "degrees", "degree", "cents", "cent",
                                         "dollars", "dollar", "hours", "hour", "minutes", "minute", "seconds", "second", "days", "day",
                                         "years", "year", "pounds", "grams", "kg", "liters", "ways", "people", "students", "points"]

    static let textCommands = ["\\text", "\\textbf", "\\textit", "\\mbox", "\\mathrm", "\\mathbf", "\\textrm", "\\operatorname"]

    /// Matrix row breaks (`\\`) are kept as this marker so that spacing commands cannot split them.
    static let rowBreak = "\u{23CE}"

    public static func normalize(_ raw: String) -> String {
        var s = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if s.contains("\\\\") { s = s.replacingOccurrences(of: "\\\\", with: rowBreak) }
        for (a, b) in [("\\$", ""), (",\\! ", ","), (",\\!", ","), ("\\(", ""), ("\\)", ""), ("\\[", ""), ("\\]", ""), ("$", ""), ("\\displaystyle", ""),
                       ("−", "-"), ("–", "-"), ("π", "\\pi "), ("√", "\\sqrt"), ("∞", "\\infty "), ("×", "\\times "), ("·", "\\cdot "),
                       ("±", "\\pm "), ("∪", "\\cup "), ("\\dfrac", "\\frac"), ("\\tfrac", "\\frac"), ("\\right.", ""),
                       ("\\left", ""), ("\\right", ""), ("\\bigl", ""), ("\\bigr", ""), ("\\big", ""), ("\\Big", ""),
                       ("\\!", ""), ("\\,", " "), ("\\;", " "), ("\\:", " "), ("\\ ", " "), ("~", " "),
                       ("^{\\circ}", ""), ("^\\circ", ""), ("\\circ", ""), ("°", ""), ("\\%", ""), ("%", ""),
                       ("{,}", ","), ("\\infty", "\\infty "), ("\\le ", "\\le "), ("\\dots", "\\ldots")] {
            if s.contains(a) { s = s.replacingOccurrences(of: a, with: b) }
        }
        s = unwrapText(s)
        s = dropUnitWords(s)
        s = dropThousandsSeparators(s)
        for sep in [" and ", " or ", "\\text{and}", "\\text{or}"] where s.contains(sep) { s = s.replacingOccurrences(of: sep, with: ", ") }
        s = s.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).joined(separator: " ")
        while let last = s.last, last == "." || last == " " { s.removeLast() }
        return s
    }

    /// Step 4: text groups are units when a digit remains outside them, else text answers.
    static func unwrapText(_ s: String) -> String {
        guard textCommands.contains(where: { s.contains($0 + "{") }) else { return s }
        var pieces: [(text: String, isText: Bool)] = []
        var rest = Substring(s)
        while let r = textCommands.compactMap({ c in rest.range(of: c + "{").map { ($0, c) } }).min(by: { $0.0.lowerBound < $1.0.lowerBound }) {
            pieces.append((String(rest[..<r.0.lowerBound]), false))
            var depth = 1, j = r.0.upperBound
            while j < rest.endIndex, depth > 0 {
                if rest[j] == "{" { depth += 1 } else if rest[j] == "}" { depth -= 1 }
                if depth > 0 { j = rest.index(after: j) }
            }
            guard j < rest.endIndex else { return s }
            pieces.append((String(rest[r.0.upperBound..<j]), true))
            rest = rest[rest.index(after: j)...]
            // A unit's exponent: \text{ cm}^2.
            for e in ["^2", "^3", "^{2}", "^{3}"] where pieces.last!.text.contains(where: \.isLetter) && rest.hasPrefix(e) {
                rest = rest.dropFirst(e.count)
            }
        }
        pieces.append((String(rest), false))
        let outside = pieces.filter { !$0.isText }.map(\.text).joined()
        let hasNumber = outside.contains(where: \.isNumber) || outside.contains("\\frac") || outside.contains("\\pi")
        return pieces.map { p in
            guard p.isText else { return p.text }
            // Units are dropped; connectives and parenthesised letters ("(C)") stay as text.
            let t = p.text.trimmingCharacters(in: .whitespaces)
            if hasNumber && t.contains(where: \.isLetter) && !["and", "or"].contains(t) { return " " }
            return p.text
        }.joined()
    }

    /// Step 4b: `12 inches`, `5.4 cents`, `64 square feet` → the number.
    static func dropUnitWords(_ s: String) -> String {
        var words = s.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard words.count >= 2 else { return s }
        var dropped = false
        while words.count >= 2, let last = words.last, units.contains(last.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ".^23{}"))) {
            words.removeLast()
            dropped = true
        }
        guard dropped, let last = words.last, last.last?.isNumber == true || last.hasSuffix("}") else { return s }
        return words.joined(separator: " ")
    }

    /// Step 5: `10,080` → `10080`; `1,-2` and `3, 5` (lists) are untouched.
    static func dropThousandsSeparators(_ s: String) -> String {
        guard s.contains(",") else { return s }
        let c = Array(s), n = c.count
        func digit(_ k: Int) -> Bool { k >= 0 && k < n && c[k].isASCII && c[k].isNumber }
        var out = ""
        var k = 0, depth = 0
        while k < n {
            // Only outside brackets: "(12,102)" is a pair, not twelve thousand one hundred and two.
            if c[k] == "(" || c[k] == "[" { depth += 1 } else if c[k] == ")" || c[k] == "]" { depth -= 1 }
            guard depth == 0, digit(k), !digit(k - 1), k == 0 || c[k - 1] != "." else { out.append(c[k]); k += 1; continue }
            var j = k
            while digit(j) { j += 1 }
            var end = j, groups = 0
            // ",ddd" not followed by another digit, as often as it repeats.
            while end + 3 < n {
                guard c[end] == ",", digit(end + 1), digit(end + 2), digit(end + 3), !digit(end + 4) else { break }
                groups += 1
                end += 4
            }
            if groups > 0 && j - k <= 3 {
                out += String(c[k..<end]).replacingOccurrences(of: ",", with: "")
                k = end
            } else {
                out += String(c[k..<j])
                k = j
            }
        }
        return out
    }
}
