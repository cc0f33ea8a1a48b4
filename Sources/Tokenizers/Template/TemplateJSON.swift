import Foundation

extension TemplateValue {
    /// Parses JSON text into a template value, keeping object key order (as Python's `json.load`
    /// does — `tojson` output depends on it; `JSONSerialization` would lose it).
    /// `source` names the text in error messages (e.g. the file path).
    /// Nesting deeper than `maxDepth` is an error (the parser recurses once per level).
    public init(jsonText: String, source: String = "JSON", maxDepth: Int = TemplateLimits.standard.maxJSONDepth) throws {
        var parser = OrderedJSONParser(Array(jsonText.unicodeScalars), source: source, maxDepth: maxDepth)
        self = try parser.parseDocument()
    }
}

/// A small strict JSON parser (RFC 8259) producing `TemplateValue`s with ordered objects.
struct OrderedJSONParser {
    private let s: [Unicode.Scalar]
    private let source: String
    private var i = 0
    private let maxDepth: Int
    private var depth = 0

    init(_ scalars: [Unicode.Scalar], source: String, maxDepth: Int = TemplateLimits.standard.maxJSONDepth) {
        s = scalars
        self.source = source
        self.maxDepth = maxDepth
    }

    mutating func parseDocument() throws -> TemplateValue {
        let v = try value()
        skipSpace()
        guard i == s.count else { throw fail("unexpected text after the JSON value") }
        return v
    }

    private func fail(_ what: String) -> TokenizerError {
        TokenizerError.invalidJSON(source: source, offset: i, reason: what)
    }

    private mutating func skipSpace() {
        while i < s.count, s[i] == " " || s[i] == "\n" || s[i] == "\r" || s[i] == "\t" { i += 1 }
    }

    private mutating func value() throws -> TemplateValue {
        depth += 1
        defer { depth -= 1 }
        guard depth <= maxDepth else { throw fail("nesting deeper than \(maxDepth) levels") }
        skipSpace()
        guard i < s.count else { throw fail("unexpected end of JSON") }
        switch s[i] {
        case "{":
            i += 1
            var d = TemplateDict()
            skipSpace()
            if i < s.count, s[i] == "}" { i += 1; return .dict(d) }
            while true {
                skipSpace()
                guard i < s.count, s[i] == "\"" else { throw fail("expected a string key") }
                let key = try string()
                skipSpace()
                guard i < s.count, s[i] == ":" else { throw fail("expected ':'") }
                i += 1
                d[key] = try value()
                skipSpace()
                guard i < s.count else { throw fail("unterminated object") }
                if s[i] == "," { i += 1; continue }
                if s[i] == "}" { i += 1; return .dict(d) }
                throw fail("expected ',' or '}'")
            }
        case "[":
            i += 1
            var a = [TemplateValue]()
            skipSpace()
            if i < s.count, s[i] == "]" { i += 1; return .array(a) }
            while true {
                a.append(try value())
                skipSpace()
                guard i < s.count else { throw fail("unterminated array") }
                if s[i] == "," { i += 1; continue }
                if s[i] == "]" { i += 1; return .array(a) }
                throw fail("expected ',' or ']'")
            }
        case "\"":
            return .string(try string())
        case "t": try literal("true"); return .bool(true)
        case "f": try literal("false"); return .bool(false)
        case "n": try literal("null"); return .none
        default:
            return try number()
        }
    }

    private mutating func literal(_ word: String) throws {
        for u in word.unicodeScalars {
            guard i < s.count, s[i] == u else { throw fail("invalid literal") }
            i += 1
        }
    }

    private mutating func number() throws -> TemplateValue {
        let start = i
        var isFloat = false
        while i < s.count, "+-0123456789.eE".unicodeScalars.contains(s[i]) {
            if s[i] == "." || s[i] == "e" || s[i] == "E" { isFloat = true }
            i += 1
        }
        var text = ""
        text.unicodeScalars.append(contentsOf: s[start..<i])
        if !isFloat, let v = Int(text) { return .int(v) }
        guard let d = Double(text) else { throw fail("invalid number '\(text)'") }
        return .double(d)
    }

    private mutating func hex4() throws -> UInt32 {
        guard i + 4 <= s.count else { throw fail("short \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard let d = Int(String(s[i]), radix: 16) else { throw fail("bad \\u escape") }
            v = v * 16 + UInt32(d)
            i += 1
        }
        return v
    }

    private mutating func string() throws -> String {
        i += 1
        var out = String.UnicodeScalarView()
        while true {
            guard i < s.count else { throw fail("unterminated string") }
            let c = s[i]
            i += 1
            if c == "\"" { return String(out) }
            guard c == "\\" else { out.append(c); continue }
            guard i < s.count else { throw fail("unterminated escape") }
            let e = s[i]
            i += 1
            switch e {
            case "\"": out.append("\"")
            case "\\": out.append("\\")
            case "/": out.append("/")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "n": out.append("\n")
            case "r": out.append("\r")
            case "t": out.append("\t")
            case "u":
                var v = try hex4()
                if (0xD800..<0xDC00).contains(v), i + 6 <= s.count, s[i] == "\\", s[i + 1] == "u" {
                    i += 2
                    let low = try hex4()
                    v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
                }
                out.append(Unicode.Scalar(v) ?? "\u{FFFD}")
            default: throw fail("unknown escape \\\(e)")
            }
        }
    }
}
