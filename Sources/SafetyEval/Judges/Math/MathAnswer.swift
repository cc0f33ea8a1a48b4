import Foundation

/// A normalised final answer with its structure, compared by ``MathAnswer/equivalent(_:_:)``.
///
/// Structure, decided on the normalised text (``MathNormalizer``) in this order:
/// - `a \pm b` → the set {a + b, a − b} (at most three `\pm`);
/// - `A \cup B` → a union, compared as a set of its parts;
/// - `\begin{pmatrix}…\end{pmatrix}` (also `bmatrix`, `matrix`) → a matrix, element-wise;
/// - `\{a, b\}` → a set (order-free);
/// - `(a, b]`, `[a, b)`, `(a, b, c)`… (outer brackets that enclose everything, with a top-level
///   comma) → an ordered tuple/interval: bracket kinds must match, then element-wise;
/// - `a, b, c` without brackets → a set (order-free), as MATH's "enter all solutions" answers;
/// - `x \in S` → S; `lhs = rhs` → an equation; when lhs is a lone variable (`x = 5`, `y = 2x + 3`)
///   it is compared by its right side against an answer without `=`;
/// - an expression ``MathExprParser`` parses → a number or a function of variables;
/// - anything else (words, `52_8`, `\text{(C)}`) → text, compared as a canonical string
///   (``MathAnswer/canonicalText(_:)``).
indirect enum MathAnswer: Equatable {
    case expression(MathExpr, text: String)
    case text(String)
    case set([MathAnswer])
    case tuple(open: Character, close: Character, [MathAnswer])
    case union([MathAnswer])
    case matrix([[MathAnswer]])
    case equation(lhs: MathExpr?, rhs: MathExpr?, lhsText: String, rhsText: String)

    /// Relative tolerance for numbers (|a − b| ≤ 1e-9 · max(1, |a|, |b|)); rationals compare exactly.
    static let numericTolerance = 1e-9
    /// Relative tolerance for expressions with variables, evaluated at fixed sample points.
    static let symbolicTolerance = 1e-7

    /// Parses a raw answer (response or gold): normalise, then structure.
    static func parse(_ raw: String) -> MathAnswer {
        structure(MathNormalizer.normalize(raw), depth: 0)
    }

    static func structure(_ s0: String, depth: Int) -> MathAnswer {
        var s = s0.trimmingCharacters(in: .whitespaces)
        guard depth < 6, !s.isEmpty else { return .text(canonicalText(s)) }
        // ±: expand into the set of both signs.
        for pm in ["\\pm", "\\mp"] where s.contains(pm) {
            let parts = s.components(separatedBy: pm)
            guard parts.count <= 4 else { break }
            var variants = [parts[0]]
            for p in parts.dropFirst() { variants = variants.flatMap { [$0 + "+" + p, $0 + "-" + p] } }
            let elems = variants.map { structure($0, depth: depth + 1) }
            // "1 \pm \sqrt{5}, -2": the expansion may itself contain lists; flatten sets and keep
            // each value once (the "-2" appears in both variants).
            var unique: [MathAnswer] = []
            for e in elems.flatMap({ (e: MathAnswer) -> [MathAnswer] in if case let .set(x) = e { return x }; return [e] })
                where !unique.contains(where: { equivalent($0, e) }) { unique.append(e) }
            return .set(unique)
        }
        let unions = splitTopLevel(s, separator: "\\cup")
        if unions.count > 1 { return .union(unions.map { structure($0, depth: depth + 1) }) }
        if let m = matrix(s, depth: depth) { return m }
        if s.hasPrefix("\\{"), s.hasSuffix("\\}"), enclosesAll(s, openLength: 2) {
            let inner = String(s.dropFirst(2).dropLast(2))
            return .set(splitTopLevel(inner, separator: ",").map { structure($0, depth: depth + 1) })
        }
        if let f = s.first, let l = s.last, "([".contains(f), ")]".contains(l), enclosesAll(s, openLength: 1) {
            let inner = String(s.dropFirst().dropLast())
            let parts = splitTopLevel(inner, separator: ",")
            if parts.count > 1 { return .tuple(open: f, close: l, parts.map { structure($0, depth: depth + 1) }) }
        }
        let parts = splitTopLevel(s, separator: ",")
        if parts.count > 1 { return .set(parts.map { structure($0, depth: depth + 1) }) }
        // "x \in [a, b]" → "[a, b]".
        if let r = s.range(of: "\\in"), !(s[r.upperBound...].first?.isLetter ?? true), isLoneVariable(String(s[..<r.lowerBound])) {
            return structure(String(s[r.upperBound...]), depth: depth + 1)
        }
        let sides = splitTopLevel(s, separator: "=")
        if sides.count == 2 {
            let l = sides[0].trimmingCharacters(in: .whitespaces), r = sides[1].trimmingCharacters(in: .whitespaces)
            // "x = (1, 2)" / "x = 3, 4": a lone variable in front of a structured answer.
            if isLoneVariable(l), case let inner = structure(r, depth: depth + 1), !isExpression(inner) { return inner }
            return .equation(lhs: MathExprParser.parse(l), rhs: MathExprParser.parse(r), lhsText: l, rhsText: r)
        }
        s = s.trimmingCharacters(in: .whitespaces)
        if hasWord(s) { return .text(canonicalText(s)) }
        if let e = MathExprParser.parse(s) { return .expression(e, text: s) }
        return .text(canonicalText(s))
    }

    static func isExpression(_ a: MathAnswer) -> Bool {
        if case .expression = a { return true }
        if case .text = a { return true }
        return false
    }

    /// `x`, `y`, `\theta`, `a_1`.
    static func isLoneVariable(_ s: String) -> Bool {
        let t = s.trimmingCharacters(in: .whitespaces)
        guard let e = MathExprParser.parse(t), case .variable = e else { return false }
        return true
    }

    /// Three or more ASCII letters in a row outside a `\command`: a word, so the answer is text.
    static func hasWord(_ s: String) -> Bool {
        var run = 0, inCommand = false
        for c in s.unicodeScalars {
            if c == "\\" { inCommand = true; run = 0; continue }
            if c.isASCII && c.properties.isAlphabetic {
                if !inCommand { run += 1; if run >= 3 { return true } }
            } else {
                inCommand = false
                run = 0
            }
        }
        return false
    }

    /// Whether the bracket at the start closes exactly at the last character.
    static func enclosesAll(_ s: String, openLength: Int) -> Bool {
        let c = Array(s.unicodeScalars)
        var depth = 0
        var k = 0
        while k < c.count {
            let ch = c[k]
            if ch == "\\", k + 1 < c.count, c[k + 1] == "{" || c[k + 1] == "}" {
                depth += c[k + 1] == "{" ? 1 : -1
                k += 2
            } else {
                if "([{".unicodeScalars.contains(ch) { depth += 1 } else if ")]}".unicodeScalars.contains(ch) { depth -= 1 }
                k += 1
            }
            if depth == 0 && k < c.count { return false }
        }
        return depth == 0
    }

    /// Splits at `separator` where no bracket is open (`(` `[` `{` and `\{` count; an interval's
    /// mismatched `(a, b]` still balances).
    static func splitTopLevel(_ s: String, separator: String) -> [String] {
        let c = Array(s.unicodeScalars), sep = Array(separator.unicodeScalars)
        var parts: [String] = [], cur = String.UnicodeScalarView(), depth = 0, k = 0
        while k < c.count {
            let ch = c[k]
            if ch == "\\", k + 1 < c.count, c[k + 1] == "{" || c[k + 1] == "}" {
                depth += c[k + 1] == "{" ? 1 : -1
                cur.append(ch); cur.append(c[k + 1]); k += 2
                continue
            }
            if "([{".unicodeScalars.contains(ch) { depth += 1 } else if ")]}".unicodeScalars.contains(ch) { depth -= 1 }
            if depth == 0, k + sep.count <= c.count, Array(c[k..<(k + sep.count)]) == sep,
               // "\cup" must not match inside "\cupcake"; "=" not inside "\le=" etc.
               !(sep.first == "\\" && k + sep.count < c.count && c[k + sep.count].properties.isAlphabetic) {
                parts.append(String(cur))
                cur = String.UnicodeScalarView()
                k += sep.count
                continue
            }
            cur.append(ch)
            k += 1
        }
        parts.append(String(cur))
        return parts.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    static func matrix(_ s: String, depth: Int) -> MathAnswer? {
        for env in ["pmatrix", "bmatrix", "matrix", "vmatrix"] {
            let b = "\\begin{\(env)}", e = "\\end{\(env)}"
            guard s.hasPrefix(b), s.hasSuffix(e) else { continue }
            let inner = s.dropFirst(b.count).dropLast(e.count)
            let rows = inner.components(separatedBy: MathNormalizer.rowBreak).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return .matrix(rows.map { $0.components(separatedBy: "&").map { structure($0, depth: depth + 1) } })
        }
        return nil
    }

    /// Lower case, no spaces, braces or text commands; `(c)` → `c`; trailing `.` dropped.
    static func canonicalText(_ s: String) -> String {
        var t = s
        for c in MathNormalizer.textCommands { t = t.replacingOccurrences(of: c, with: "") }
        t = String(t.lowercased().filter { !$0.isWhitespace && $0 != "{" && $0 != "}" })
        while t.hasSuffix(".") { t.removeLast() }
        if t.count == 3, t.first == "(", t.last == ")" { t = String(t.dropFirst().dropLast()) }
        return t
    }

    /// The comparison rules listed in the type's documentation.
    static func equivalent(_ a: MathAnswer, _ b: MathAnswer) -> Bool {
        switch (a, b) {
        case let (.expression(x, _), .expression(y, _)): return exprEqual(x, y)
        case let (.text(x), .text(y)): return x == y
        case let (.text(x), .expression(_, t)), let (.expression(_, t), .text(x)): return x == canonicalText(t)
        case let (.set(x), .set(y)), let (.union(x), .union(y)): return matchAll(x, y)
        case let (.set(x), other), let (other, .set(x)):
            if x.count == 1 { return equivalent(x[0], other) }
            // A bare list against a parenthesised tuple: same elements in order.
            if case let .tuple("(", ")", y) = other, x.count == y.count { return zip(x, y).allSatisfy { equivalent($0, $1) } }
            return false
        case let (.tuple(o1, c1, x), .tuple(o2, c2, y)):
            return o1 == o2 && c1 == c2 && x.count == y.count && zip(x, y).allSatisfy { equivalent($0, $1) }
        case let (.matrix(x), .matrix(y)):
            return x.count == y.count && zip(x, y).allSatisfy { r, s in r.count == s.count && zip(r, s).allSatisfy { equivalent($0, $1) } }
        case let (.matrix(x), .tuple("(", ")", y)), let (.tuple("(", ")", y), .matrix(x)):
            // A column vector written as a tuple.
            return x.allSatisfy { $0.count == 1 } && x.count == y.count && zip(x, y).allSatisfy { equivalent($0[0], $1) }
        case let (.equation(l1, r1, lt1, rt1), .equation(l2, r2, lt2, rt2)):
            if let l1, let r1, let l2, let r2 {
                if case .variable = l1, case .variable = l2 { return l1 == l2 && exprEqual(r1, r2) }
                return proportional(.add(l1, .neg(r1)), .add(l2, .neg(r2)))
            }
            return canonicalText(lt1) == canonicalText(lt2) && canonicalText(rt1) == canonicalText(rt2)
        case let (.equation(l, r, _, rt), other), let (other, .equation(l, r, _, rt)):
            guard let l, case .variable = l else { return false }
            return equivalent(r.map { .expression($0, text: rt) } ?? .text(canonicalText(rt)), other)
        default:
            return false
        }
    }

    /// Each element of `x` matched to a distinct equal element of `y`.
    static func matchAll(_ x: [MathAnswer], _ y: [MathAnswer]) -> Bool {
        guard x.count == y.count else { return false }
        var used = [Bool](repeating: false, count: y.count)
        for e in x {
            guard let j = y.indices.first(where: { !used[$0] && equivalent(e, y[$0]) }) else { return false }
            used[j] = true
        }
        return true
    }

    /// Sample points for variables: fixed, irrational-looking values away from 0, 1 and poles of
    /// the usual functions; every variable gets a different value at each point.
    static let samplePoints: [Double] = [0.7310585786, 1.3247179572, 0.5772156649, 2.2360679775, 1.6180339887]

    static func environments(_ vars: [String]) -> [[String: MathComplex]] {
        (0..<3).map { p in
            var env: [String: MathComplex] = [:]
            for (k, v) in vars.enumerated() { env[v] = MathComplex(samplePoints[(p + 2 * k) % samplePoints.count] + Double(k) * 0.1 + Double(p) * 0.37) }
            return env
        }
    }

    /// Exactly for rationals; otherwise numerically (complex doubles) at the sample points.
    static func exprEqual(_ x: MathExpr, _ y: MathExpr) -> Bool {
        let vx = x.variables, vy = y.variables
        if vx.isEmpty && vy.isEmpty {
            if let a = x.exact, let b = y.exact { return a == b }
            let a = x.value([:]), b = y.value([:])
            guard !(a.re.isNaN || a.im.isNaN || b.re.isNaN || b.im.isNaN) else { return false }
            return a.isClose(to: b, tolerance: numericTolerance)
        }
        guard vx == vy else { return false }
        for env in environments(vx.sorted()) {
            let a = x.value(env), b = y.value(env)
            guard a.isFinite, b.isFinite, a.isClose(to: b, tolerance: symbolicTolerance) else { return false }
        }
        return true
    }

    /// f = c · g for one nonzero constant c at every sample point (equations `ax + by = c`).
    static func proportional(_ f: MathExpr, _ g: MathExpr) -> Bool {
        let vars = f.variables.union(g.variables)
        guard f.variables == g.variables else { return false }
        var ratio: MathComplex?
        for env in environments(vars.sorted()) {
            let a = f.value(env), b = g.value(env)
            guard a.isFinite, b.isFinite else { return false }
            if b.magnitude < 1e-12 { if a.magnitude < 1e-12 { continue } else { return false } }
            let r = a / b
            if let q = ratio { guard r.isClose(to: q, tolerance: symbolicTolerance) else { return false } } else { ratio = r }
        }
        return ratio.map { $0.magnitude > 1e-12 } ?? vars.isEmpty
    }
}
