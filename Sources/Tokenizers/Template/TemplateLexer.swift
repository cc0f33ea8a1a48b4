/// Position in the template source (1-based line and column, in characters).
struct SourcePos {
    var line: Int
    var column: Int
}

/// An expression token inside `{{ }}` / `{% %}`.
enum ExprToken: Equatable {
    case name(String)
    case string(String)
    case int(Int)
    case float(Double)
    case op(String)
    case end
}

/// The template split into text and tags, with Jinja2's whitespace rules applied as transformers
/// configures them (`trim_blocks=True`, `lstrip_blocks=True`, `keep_trailing_newline=False`):
/// `{%-`/`-%}` strip all whitespace on that side; a newline right after a block or comment tag is
/// dropped; spaces and tabs before a block or comment tag at the start of a line are dropped
/// (`{%+` keeps them); `\r\n` and `\r` become `\n`; one trailing newline of the source is dropped.
/// Mirrors `jinja2/lexer.py` (Jinja 3.1).
struct TemplateLexer {
    enum Segment {
        case text(String)
        case output([(ExprToken, SourcePos)], SourcePos)
        case statement([(ExprToken, SourcePos)], SourcePos)
    }

    private var src: [Unicode.Scalar]
    private var pos = 0
    private var line = 1
    private var column = 1

    init(_ source: String) {
        var scalars = [Unicode.Scalar]()
        var it = Array(source.unicodeScalars)
        if it.last == "\n" || it.last == "\r" {
            // Drop one trailing line break (after folding \r\n).
            if it.count >= 2 && it[it.count - 2] == "\r" && it.last == "\n" { it.removeLast(2) } else { it.removeLast() }
        }
        var k = 0
        while k < it.count {
            if it[k] == "\r" {
                scalars.append("\n")
                if k + 1 < it.count && it[k + 1] == "\n" { k += 1 }
            } else {
                scalars.append(it[k])
            }
            k += 1
        }
        src = scalars
    }

    private func at(_ k: Int) -> Unicode.Scalar? { k < src.count ? src[k] : nil }

    private mutating func advance(to target: Int) {
        while pos < target {
            if src[pos] == "\n" { line += 1; column = 1 } else { column += 1 }
            pos += 1
        }
    }

    private static func isSpace(_ u: Unicode.Scalar) -> Bool { u.properties.isWhitespace }

    mutating func segments() throws -> [Segment] {
        var out = [Segment]()
        var stripLeading = false   // previous tag ended with `-`: strip all leading whitespace
        while pos < src.count || stripLeading {
            if stripLeading {
                var k = pos
                while k < src.count && Self.isSpace(src[k]) { k += 1 }
                advance(to: k)
                stripLeading = false
                continue
            }
            // Find the next tag opener.
            var k = pos
            var kind: Unicode.Scalar? = nil
            while k + 1 < src.count {
                if src[k] == "{", let c = at(k + 1), c == "{" || c == "%" || c == "#" { kind = c; break }
                k += 1
            }
            let textEnd = kind == nil ? src.count : k
            var text = Array(src[pos..<textEnd])
            guard let tagKind = kind else {
                if !text.isEmpty { out.append(.text(Self.string(text))) }
                advance(to: src.count)
                break
            }
            let sign = at(k + 2)
            let lineStarting = pos == 0 || src[pos - 1] == "\n"
            if sign == "-" {
                while let last = text.last, Self.isSpace(last) { text.removeLast() }
            } else if sign != "+" && tagKind != "{" {
                let lpos = (text.lastIndex(of: "\n").map { $0 + 1 }) ?? 0
                if (lpos > 0 || lineStarting) && lpos < text.count && text[lpos...].allSatisfy({ Self.isSpace($0) }) {
                    text.removeSubrange(lpos...)
                }
            }
            if !text.isEmpty { out.append(.text(Self.string(text))) }
            advance(to: k)
            let tagPos = SourcePos(line: line, column: column)
            advance(to: k + 2 + ((sign == "-" || sign == "+") ? 1 : 0))
            if tagKind == "#" {
                var e = pos
                while e + 1 < src.count && !(src[e] == "#" && src[e + 1] == "}") { e += 1 }
                guard e + 1 < src.count else {
                    throw TokenizerError.templateSyntax(message: "comment '{#' is never closed", line: tagPos.line, column: tagPos.column)
                }
                let minus = e > pos && src[e - 1] == "-"
                let plus = e > pos && src[e - 1] == "+"
                advance(to: e + 2)
                if minus { stripLeading = true } else if !plus, at(pos) == "\n" { advance(to: pos + 1) }
                continue
            }
            let closer: Unicode.Scalar = tagKind == "{" ? "}" : "%"
            var tokens = [(ExprToken, SourcePos)]()
            var depth = 0
            while true {
                while pos < src.count && Self.isSpace(src[pos]) { advance(to: pos + 1) }
                guard pos < src.count else {
                    throw TokenizerError.templateSyntax(message: "tag '{\(tagKind)' is never closed", line: tagPos.line, column: tagPos.column)
                }
                // End of tag (only outside brackets); `.end` carries the closer's position for messages.
                if depth == 0 {
                    let endPos = SourcePos(line: line, column: column)
                    let c0 = src[pos]
                    if (c0 == "-" || c0 == "+"), at(pos + 1) == closer, at(pos + 2) == "}" {
                        tokens.append((.end, endPos))
                        advance(to: pos + 3)
                        if c0 == "-" { stripLeading = true } else { /* '+': keep the newline */ }
                        break
                    }
                    if c0 == closer, at(pos + 1) == "}" {
                        tokens.append((.end, endPos))
                        advance(to: pos + 2)
                        if tagKind == "%", at(pos) == "\n" { advance(to: pos + 1) }
                        break
                    }
                }
                let tokPos = SourcePos(line: line, column: column)
                let token = try lexToken(tokPos)
                if case let .op(o) = token {
                    if o == "(" || o == "[" || o == "{" { depth += 1 }
                    if o == ")" || o == "]" || o == "}" { depth = max(0, depth - 1) }
                }
                tokens.append((token, tokPos))
            }
            // {% raw %} … {% endraw %}: the body is text.
            if tagKind == "%", tokens.count == 2, tokens[0].0 == .name("raw") {
                out.append(.text(try rawBody(tagPos)))
                continue
            }
            out.append(tagKind == "{" ? .output(tokens, tagPos) : .statement(tokens, tagPos))
        }
        return out
    }

    private mutating func rawBody(_ tagPos: SourcePos) throws -> String {
        var k = pos
        while k + 1 < src.count {
            if src[k] == "{" && src[k + 1] == "%" {
                var j = k + 2
                if at(j) == "-" || at(j) == "+" { j += 1 }
                while let c = at(j), Self.isSpace(c) { j += 1 }
                if Self.string(Array(src[j..<min(src.count, j + 6)])) == "endraw" {
                    var e = j + 6
                    while let c = at(e), Self.isSpace(c) || c == "-" { e += 1 }
                    if at(e) == "%" && at(e + 1) == "}" {
                        var body = Array(src[pos..<k])
                        if at(k + 2) == "-" { while let l = body.last, Self.isSpace(l) { body.removeLast() } }
                        advance(to: e + 2)
                        return Self.string(body)
                    }
                }
            }
            k += 1
        }
        throw TokenizerError.templateSyntax(message: "'raw' block is never closed with 'endraw'", line: tagPos.line, column: tagPos.column)
    }

    private static func string(_ scalars: [Unicode.Scalar]) -> String {
        var s = String.UnicodeScalarView()
        s.append(contentsOf: scalars)
        return String(s)
    }

    private mutating func lexToken(_ tokPos: SourcePos) throws -> ExprToken {
        let c = src[pos]
        func isDigit(_ u: Unicode.Scalar?) -> Bool { u.map { $0.value >= 0x30 && $0.value <= 0x39 } ?? false }
        func isNameStart(_ u: Unicode.Scalar) -> Bool { u == "_" || (u.value < 128 && u.properties.isAlphabetic) }
        if isDigit(c) {
            var k = pos
            while isDigit(at(k)) || at(k) == "_" { k += 1 }
            var isFloat = false
            if at(k) == ".", isDigit(at(k + 1)) {
                isFloat = true
                k += 1
                while isDigit(at(k)) || at(k) == "_" { k += 1 }
            }
            if at(k) == "e" || at(k) == "E" {
                var j = k + 1
                if at(j) == "+" || at(j) == "-" { j += 1 }
                if isDigit(at(j)) {
                    isFloat = true
                    k = j
                    while isDigit(at(k)) { k += 1 }
                }
            }
            let text = Self.string(Array(src[pos..<k])).replacingOccurrences(of: "_", with: "")
            advance(to: k)
            if isFloat, let d = Double(text) { return .float(d) }
            if let i = Int(text) { return .int(i) }
            throw TokenizerError.templateSyntax(message: "bad number '\(text)'", line: tokPos.line, column: tokPos.column)
        }
        if isNameStart(c) {
            var k = pos
            while let u = at(k), isNameStart(u) || isDigit(u) { k += 1 }
            let name = Self.string(Array(src[pos..<k]))
            advance(to: k)
            return .name(name)
        }
        if c == "'" || c == "\"" {
            var k = pos + 1
            var out = String.UnicodeScalarView()
            while true {
                guard let u = at(k) else {
                    throw TokenizerError.templateSyntax(message: "string literal is never closed", line: tokPos.line, column: tokPos.column)
                }
                if u == c { k += 1; break }
                if u == "\\", let e = at(k + 1) {
                    k += 2
                    switch e {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    case "r": out.append("\r")
                    case "\\": out.append("\\")
                    case "'": out.append("'")
                    case "\"": out.append("\"")
                    case "0": out.append("\u{0}")
                    case "b": out.append("\u{08}")
                    case "f": out.append("\u{0C}")
                    case "v": out.append("\u{0B}")
                    case "a": out.append("\u{07}")
                    case "\n": break
                    case "x", "u", "U":
                        let n = e == "x" ? 2 : (e == "u" ? 4 : 8)
                        var v: UInt32 = 0
                        for _ in 0..<n {
                            guard let h = at(k), let d = Int(String(h), radix: 16) else {
                                throw TokenizerError.templateSyntax(message: "bad \\\(e) escape in string", line: tokPos.line, column: tokPos.column)
                            }
                            v = v * 16 + UInt32(d)
                            k += 1
                        }
                        out.append(Unicode.Scalar(v) ?? "\u{FFFD}")
                    default:
                        out.append("\\"); out.append(e)
                    }
                    continue
                }
                out.append(u)
                k += 1
            }
            advance(to: k)
            return .string(String(out))
        }
        for op in ["//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}",
                   ">", "<", "=", ".", ":", "|", ",", ";"] {
            let scalars = Array(op.unicodeScalars)
            if at(pos) == scalars[0] && (scalars.count == 1 || at(pos + 1) == scalars[1]) {
                advance(to: pos + scalars.count)
                return .op(op)
            }
        }
        throw TokenizerError.templateSyntax(message: "unexpected character '\(c)'", line: tokPos.line, column: tokPos.column)
    }
}
