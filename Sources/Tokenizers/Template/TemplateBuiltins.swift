import Foundation

/// Globals, filters, tests and methods available to templates: Jinja2's built-ins that chat
/// templates use, plus transformers' additions (`raise_exception`, `strftime_now`, `tojson` as
/// `json.dumps(..., ensure_ascii=False)`, `namespace`, `dict`). An unknown filter or test is a render
/// error naming it.
enum TemplateBuiltins {
    /// `message`: a Python-style error; `limit`: a sandbox bound (`TemplateLimits`) was hit.
    enum CallError: Error { case message(String), limit(String) }

    static func globals() -> [String: TemplateValue] {
        var g = [String: TemplateValue]()
        g["raise_exception"] = .function(TemplateFunction("raise_exception") { args, _ in
            throw TokenizerError.templateRaised(message: args.first?.pythonStr ?? "")
        })
        let makeDict: ([TemplateValue], [(String, TemplateValue)]) throws -> TemplateValue = { args, kwargs in
            var d = TemplateDict()
            if case let .dict(base)? = args.first { for k in base.keys { d[k] = base[k] } }
            for (k, v) in kwargs { d[k] = v }
            return .dict(d)
        }
        g["namespace"] = .function(TemplateFunction("namespace") { args, kwargs in
            guard case let .dict(d) = try makeDict(args, kwargs) else { return .undefined }
            return .namespace(TemplateNamespace(d))
        })
        g["dict"] = .function(TemplateFunction("dict", makeDict))
        g["range"] = .function(TemplateFunction("range") { args, _ in
            let ints = args.compactMap { v -> Int? in if case let .int(i) = v { return i } else { return nil } }
            guard ints.count == args.count, (1...3).contains(ints.count) else { throw CallError.message("expects 1 to 3 integers") }
            let (lo, hi, step) = ints.count == 1 ? (0, ints[0], 1) : (ints[0], ints[1], ints.count == 3 ? ints[2] : 1)
            guard step != 0 else { throw CallError.message("step must not be zero") }
            guard abs(Double(hi) - Double(lo)) / abs(Double(step)) <= 1_000_000 else { throw CallError.message("range is too long (over 1,000,000 items)") }
            return .array(stride(from: lo, to: hi, by: step).map { .int($0) })
        })
        g["strftime_now"] = .function(TemplateFunction("strftime_now") { args, _ in
            var t = time(nil)
            var tmValue = tm()
            localtime_r(&t, &tmValue)
            var buffer = [Int8](repeating: 0, count: 256)
            let n = strftime(&buffer, buffer.count, args.first?.pythonStr ?? "", &tmValue)
            return .string(String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self))
        })
        return g
    }

    // MARK: Methods

    static func dictMethod(_ d: TemplateDict, _ name: String) -> TemplateFunction? {
        switch name {
        case "get":
            return TemplateFunction("dict.get") { args, _ in
                guard case let .string(k)? = args.first else { return args.count > 1 ? args[1] : .none }
                return d[k] ?? (args.count > 1 ? args[1] : .none)
            }
        case "items":
            return TemplateFunction("dict.items") { _, _ in .array(d.keys.map { .array([.string($0), d[$0]!]) }) }
        case "keys":
            return TemplateFunction("dict.keys") { _, _ in .array(d.keys.map { .string($0) }) }
        case "values":
            return TemplateFunction("dict.values") { _, _ in .array(d.keys.map { d[$0]! }) }
        default:
            return nil
        }
    }

    static func stringMethod(_ s: String, _ name: String, keepThinking: Bool, limits: TemplateLimits = .standard) -> TemplateFunction? {
        func str(_ args: [TemplateValue], _ i: Int) -> String? {
            guard i < args.count, case let .string(v) = args[i] else { return nil }
            return v
        }
        func int(_ args: [TemplateValue], _ i: Int, _ def: Int) -> Int {
            guard i < args.count, case let .int(v) = args[i] else { return def }
            return v
        }
        func prefixes(_ args: [TemplateValue]) -> [String] {
            switch args.first {
            case let .string(p)?: return [p]
            case let .array(items)?: return items.compactMap { if case let .string(p) = $0 { return p } else { return nil } }
            default: return []
            }
        }
        let f: ([TemplateValue], [(String, TemplateValue)]) throws -> TemplateValue
        switch name {
        case "split", "rsplit":
            f = { args, kwargs in
                let sep = str(args, 0) ?? kwargs.first { $0.0 == "sep" }.flatMap { if case let .string(v) = $0.1 { return v } else { return nil } }
                var maxSplit = int(args, 1, -1)
                if let kw = kwargs.first(where: { $0.0 == "maxsplit" }), case let .int(m) = kw.1 { maxSplit = m }
                if sep == "" { throw CallError.message("empty separator") }
                if keepThinking && sep == "</think>" { return .array([.string(s)]) }
                let parts = name == "split" ? PythonString.split(s, sep, maxSplit: maxSplit)
                    : PythonString.rsplit(s, sep, maxSplit: maxSplit)
                return .array(parts.map { .string($0) })
            }
        case "strip", "lstrip", "rstrip":
            f = { args, _ in .string(PythonString.strip(s, str(args, 0), left: name != "rstrip", right: name != "lstrip")) }
        case "startswith":
            f = { args, _ in .bool(prefixes(args).contains { PythonString.hasPrefix(s, $0) }) }
        case "endswith":
            f = { args, _ in .bool(prefixes(args).contains { PythonString.hasSuffix(s, $0) }) }
        case "replace":
            f = { args, _ in
                guard let old = str(args, 0), let new = str(args, 1) else { throw CallError.message("expects two strings") }
                if let m = limits.checkReplace(s, old, new) { throw CallError.limit(m) }
                return .string(PythonString.replace(s, old, new, count: int(args, 2, -1)))
            }
        case "upper": f = { _, _ in .string(s.uppercased()) }
        case "lower": f = { _, _ in .string(s.lowercased()) }
        case "title": f = { _, _ in .string(PythonString.title(s)) }
        case "capitalize": f = { _, _ in .string(PythonString.capitalize(s)) }
        case "find", "index", "rfind":
            f = { args, _ in
                let hay = PythonString.scalars(s), needle = PythonString.scalars(str(args, 0) ?? "")
                var found: Int? = nil
                if name == "rfind" {
                    var k = 0
                    while let at = PythonString.find(hay, needle, from: k) { found = at; k = at + 1 }
                } else {
                    found = PythonString.find(hay, needle)
                }
                if found == nil && name == "index" { throw CallError.message("substring not found") }
                return .int(found ?? -1)
            }
        case "count":
            f = { args, _ in .int(max(0, PythonString.split(s, str(args, 0) ?? " ").count - 1)) }
        case "join":
            f = { args, _ in
                guard case let .array(items)? = args.first else { throw CallError.message("expects a list") }
                if let m = limits.checkJoin(items, separator: s) { throw CallError.limit(m) }
                return .string(items.map { $0.pythonStr }.joined(separator: s))
            }
        case "splitlines":
            f = { _, _ in
                var lines = PythonString.split(s.replacingOccurrences(of: "\r\n", with: "\n"), "\n")
                if lines.last == "" { lines.removeLast() }
                return .array(lines.map { .string($0) })
            }
        case "isdigit": f = { _, _ in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.numericType != nil }) }
        case "isalpha": f = { _, _ in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic }) }
        case "isspace": f = { _, _ in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy(PythonString.isSpace)) }
        case "removeprefix":
            f = { args, _ in
                let p = str(args, 0) ?? ""
                return .string(PythonString.hasPrefix(s, p) ? PythonString.string(s.unicodeScalars.dropFirst(p.unicodeScalars.count)) : s)
            }
        case "removesuffix":
            f = { args, _ in
                let p = str(args, 0) ?? ""
                return .string(PythonString.hasSuffix(s, p) && !p.isEmpty ? PythonString.string(s.unicodeScalars.dropLast(p.unicodeScalars.count)) : s)
            }
        default:
            return nil
        }
        return TemplateFunction("str.\(name)", f)
    }
}
